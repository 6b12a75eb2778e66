//! Personal and group volume.

use crate::downline::NO_SPONSOR;

/// Group volume: each distributor's PV plus the PV of its whole sponsor downline, by one
/// reverse pass (children always come after their sponsor). `gv` holds each
/// distributor's PV on entry and its GV on return.
pub fn roll_up_group_volume(sponsor: &[u32], gv: &mut [i64]) {
    let n = sponsor.len();
    let gv = &mut gv[..n];
    for i in (0..n).rev() {
        let s = sponsor[i];
        let g = gv[i];
        if s != NO_SPONSOR && g != 0 {
            // A sponsor always comes before its recruit.
            assert!((s as usize) < i, "sponsor after recruit");
            gv[s as usize] += g;
        }
    }
}

/// The second half of the GV roll-up when distributors without recruits have already
/// added their PV to their sponsors' GV: a reverse pass over `internal` (those with
/// recruits, in join order) only. `gv` holds own PV plus recruits-without-recruits' PV on
/// entry, GV on return.
pub fn roll_up_internal(sponsor: &[u32], internal: &[u32], gv: &mut [i64]) {
    for &i in internal.iter().rev() {
        let s = sponsor[i as usize];
        let g = gv[i as usize];
        if s != NO_SPONSOR && g != 0 {
            gv[s as usize] += g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_volume_of_a_small_tree() {
        // 0 ─ 1 ─ 3
        //   └ 2
        // 4 (second founder)
        let sponsor = [NO_SPONSOR, 0, 0, 1, NO_SPONSOR];
        let pv = [100, 200, 300, 400, 500];
        let mut gv = pv;
        roll_up_group_volume(&sponsor, &mut gv);
        assert_eq!(gv, [1000, 600, 300, 400, 500]);
    }
}
