//! Stage 1 of a month, **measures**: every volume the plan can name, computed once per
//! month for everyone into arrays — PV by source, GV (one reverse pass), the PV of each
//! one's recruits, and (only for plans that name them) windows of past months and
//! accumulated volume.
//!
//! A distributor is recruited after its sponsor, so `sponsor[i] < i` and every roll-up is
//! one reverse pass over plain arrays.

use super::{prefetch, MonthInput, PlanEngine};

/// How many distributors ahead the forward pass asks for a sponsor's lines.
const AHEAD: usize = 16;
use crate::downline::NO_SPONSOR;
use crate::plan::{CompiledPlan, Placement, NO_RANK};

/// The month's volume totals, hundredths of a point, and the count of those active.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Measures {
    /// Total PV (own + retail + preferred + party) of those participating.
    pub volume: i64,
    /// Retail customers' part of it.
    pub retail_volume: i64,
    /// Preferred customers' part of it.
    pub preferred_volume: i64,
    /// Party sales' part of it.
    pub party_volume: i64,
    /// Those participating this month.
    pub participating: u32,
    /// Those active (qualified) by this month's PV alone.
    pub qualified: u32,
}

impl PlanEngine<'_> {
    /// Compute PV, GV (when the plan reads it) and each one's recruits' PV for the month
    /// into the engine's arrays (`pv`, `gv`, `child_pv`, `party_pv`); returns the month's
    /// totals.
    ///
    /// For speed, the forward pass also writes the statuses that read nothing but this
    /// month's PV (one pass over the participants instead of three): `qualified` (PV at
    /// least `active.min_pv`) and, for a plan whose ranks ask nothing, `rank` (everyone
    /// participating is paid as the top rank) and, without rank advancement, `max_rank`.
    /// The status stage reads them and refines them where the plan asks for more.
    pub(super) fn measure(&mut self, m: &MonthInput) -> Measures {
        let n = m.sponsor.len();
        let trivial_ranks = !self.plan.has_rank_requirements();
        let needs_gv = self.needs_gv();
        let needs_child = self.needs_child_pv();
        self.clear_the_rest(m, trivial_ranks, needs_gv, needs_child);
        self.list_participants(m);
        let party_volume = self.gather_parties(m);
        // Preferred customers' and parties' volume, in one array when there is any (two
        // instantiations of the forward pass keep the common one as small as before).
        let extra: &[i64] = match (m.preferred_pv.is_empty(), self.party_pv.is_empty()) {
            (true, true) => &[],
            (false, true) => &m.preferred_pv[..n],
            (true, false) => &self.party_pv[..n],
            (false, false) => {
                self.extra_pv.clear();
                self.extra_pv.extend(
                    m.preferred_pv[..n]
                        .iter()
                        .zip(&self.party_pv[..n])
                        .map(|(a, b)| a + b),
                );
                &self.extra_pv
            }
        };
        let plan = self.plan;
        let pass = ForwardPass {
            sponsor: &m.sponsor[..n],
            own: &m.own_pv[..n],
            has_child: &self.tree.has_child[..n],
            min_pv: plan.min_pv,
            trivial_ranks,
            top: (plan.ranks.len() - 1) as u8,
            // Rank advancement reads the highest rank reached before this month.
            fuse_max_rank: trivial_ranks
                && !plan.has_rank_advancement()
                && self.given_rank.is_empty(),
        };
        let out = Out {
            participants: &self.participants,
            pv: &mut self.pv[..n],
            gv: &mut self.gv[..if needs_gv { n } else { 0 }],
            child_pv: &mut self.child_pv[..if needs_child { n } else { 0 }],
            qualified: &mut self.qualified[..n],
            rank: &mut self.rank[..n],
            max_rank: &mut self.max_rank[..n],
        };
        let retail: &[i64] = if m.retail_pv.is_empty() {
            &[]
        } else {
            &m.retail_pv[..n]
        };
        // Builds of the pass with and without GV and recruits' PV, so that its loop
        // tests neither.
        let mut t = match (needs_gv, needs_child) {
            (true, true) => pass.run_with::<true, true>(retail, extra, out),
            (true, false) => pass.run_with::<true, false>(retail, extra, out),
            (false, true) => pass.run_with::<false, true>(retail, extra, out),
            (false, false) => pass.run_with::<false, false>(retail, extra, out),
        };
        // Parties' volume was summed apart (from the parties): the rest is preferred.
        t.party_volume = party_volume;
        t.preferred_volume = if m.preferred_pv.is_empty() {
            0
        } else {
            t.preferred_volume - party_volume
        };
        if let Some([own, retail, preferred, party]) = self.bought {
            // A compressed month: the company's volume is what was bought, including PV
            // that no one kept in the tree receives.
            t.volume = own + retail + preferred + party;
            t.retail_volume = retail;
            t.preferred_volume = preferred;
            t.party_volume = party;
        }
        if needs_gv {
            roll_up_internal(m.sponsor, &self.tree.internal, &mut self.gv[..n]);
        }
        let gv = &self.gv[..if needs_gv { n } else { 0 }];
        self.windows.update(m.month, &self.pv[..n], gv);
        if matches!(self.plan.placement, Placement::Binary(_)) {
            // Each binary leg's volume this month.
            self.placement.roll_up(&self.pv[..n]);
        }
        t
    }

    /// Party sales by distributor, of those who participate, into `party_pv` (left empty
    /// in a month without parties); returns their total.
    fn gather_parties(&mut self, m: &MonthInput) -> i64 {
        let n = m.sponsor.len();
        self.party_pv.clear();
        let mut total = 0i64;
        if !m.parties.is_empty() {
            self.party_pv.resize(n, 0);
            for party in m.parties {
                let d = party.distributor as usize;
                assert!(d < n, "a party's distributor must be in the downline");
                assert!(party.pv >= 0, "a party's sales may not be negative");
                if m.participating[d] {
                    self.party_pv[d] += party.pv;
                    total += party.pv;
                }
            }
        }
        total
    }
}

impl PlanEngine<'_> {
    /// Make everything the forward pass does not write hold what it holds for someone not
    /// participating (no PV, GV or rank, not active) and reset the recruits' PV and GV of
    /// everyone with recruits, whom the pass's participants add to.
    ///
    /// Only those who participated last month can hold anything else (those who have
    /// quit, or have not joined, hold these values already): the forward pass visits those
    /// participating, not everyone. After a compressed month, whose arrays describe
    /// another tree, or a month that did not compute GV, the arrays are cleared whole.
    fn clear_the_rest(&mut self, m: &MonthInput, trivial_ranks: bool, gv: bool, child: bool) {
        let n = m.sponsor.len();
        let same_tree = self.bought.is_none() && self.tree_before;
        let gv_before = std::mem::replace(&mut self.gv_before, gv);
        self.tree_before = self.bought.is_none();
        if same_tree {
            // `participants` still lists last month's.
            for &i in &self.participants {
                let i = i as usize;
                if i < n && !m.participating[i] {
                    self.pv[i] = 0;
                    self.qualified[i] = false;
                    if trivial_ranks {
                        self.rank[i] = NO_RANK;
                    }
                    if gv && gv_before {
                        self.gv[i] = 0;
                    }
                }
            }
        } else {
            self.pv[..n].fill(0);
            self.qualified[..n].fill(false);
            if trivial_ranks {
                self.rank[..n].fill(NO_RANK);
            }
        }
        if gv && !(same_tree && gv_before) {
            self.gv[..n].fill(0);
        }
        if !same_tree && child {
            self.child_pv[..n].fill(0);
        }
        if same_tree {
            for &i in &self.tree.internal {
                if child {
                    self.child_pv[i as usize] = 0;
                }
                if gv {
                    self.gv[i as usize] = 0;
                }
            }
        }
    }

    /// This month's participants into `participants`, in join order.
    fn list_participants(&mut self, m: &MonthInput) {
        let n = m.sponsor.len();
        let on = &m.participating[..n];
        // Room for those participating (and one more, where the last write lands): a list
        // the size of everyone would cost 4 bytes a person who ever joined.
        let count = on.iter().map(|&x| x as usize).sum::<usize>();
        let list = &mut self.participants;
        list.clear();
        list.resize(count + 1, 0);
        let mut k = 0;
        for (i, &x) in on.iter().enumerate() {
            // Written for everyone, kept for those participating: no branch.
            list[k] = i as u32;
            k += x as usize;
        }
        list.truncate(count);
    }
}

/// PV or GV over a rolling window of months: a ring of each one's last `months` values
/// and their running sum.
#[derive(Debug)]
pub(super) struct Window {
    months: usize,
    ring: Vec<i64>,
    /// The sum over the window, this month included.
    pub sum: Vec<i64>,
}

impl Window {
    fn new(months: u16) -> Window {
        Window {
            months: months as usize,
            ring: vec![],
            sum: vec![],
        }
    }

    /// Enter month `month`'s values (months are entered one after another).
    fn update(&mut self, month: u16, x: &[i64]) {
        let (n, w) = (x.len(), self.months);
        self.ring.resize(n * w, 0);
        self.sum.resize(n, 0);
        let k = month as usize % w;
        for (i, &v) in x.iter().enumerate() {
            let slot = &mut self.ring[i * w + k];
            self.sum[i] += v - *slot;
            *slot = v;
        }
    }
}

/// The measures over more than one month that a plan names: rolling windows of PV and
/// GV (one per distinct length) and accumulated PV. Empty for a plan that names none.
#[derive(Debug)]
pub(super) struct Windows {
    pub pv: Vec<Window>,
    pub gv: Vec<Window>,
    /// PV accumulated since joining or the start of the period (empty when unused).
    pub accumulated: Vec<i64>,
    use_accumulated: bool,
    /// The period after which accumulated PV starts again (0: never).
    period: u16,
}

impl Windows {
    pub fn new(plan: &CompiledPlan) -> Windows {
        Windows {
            pv: plan.pv_windows.iter().map(|&w| Window::new(w)).collect(),
            gv: plan.gv_windows.iter().map(|&w| Window::new(w)).collect(),
            accumulated: vec![],
            use_accumulated: plan.uses_accumulated_pv(),
            period: plan.accumulation_months,
        }
    }

    fn update(&mut self, month: u16, pv: &[i64], gv: &[i64]) {
        for w in &mut self.pv {
            w.update(month, pv);
        }
        for w in &mut self.gv {
            w.update(month, gv);
        }
        if self.use_accumulated {
            self.accumulated.resize(pv.len(), 0);
            if self.period > 0 && month > 0 && (month - 1) % self.period == 0 {
                self.accumulated.fill(0);
            }
            for (a, &p) in self.accumulated.iter_mut().zip(pv) {
                *a += p;
            }
        }
    }
}

/// What the forward pass reads.
struct ForwardPass<'a> {
    sponsor: &'a [u32],
    own: &'a [i64],
    has_child: &'a [bool],
    min_pv: i64,
    trivial_ranks: bool,
    top: u8,
    fuse_max_rank: bool,
}

/// What the forward pass writes.
struct Out<'a> {
    /// Those participating, in join order.
    participants: &'a [u32],
    pv: &'a mut [i64],
    gv: &'a mut [i64],
    child_pv: &'a mut [i64],
    qualified: &'a mut [bool],
    rank: &'a mut [u8],
    max_rank: &'a mut [u8],
}

impl ForwardPass<'_> {
    /// [`ForwardPass::run`] in one of four builds: with and without customers' and other
    /// volume (an empty array: none).
    fn run_with<const GV: bool, const CHILD: bool>(
        &self,
        retail: &[i64],
        extra: &[i64],
        out: Out,
    ) -> Measures {
        match (retail.is_empty(), extra.is_empty()) {
            (true, true) => self.run::<GV, CHILD>(|_| 0, |_| 0, out),
            (true, false) => self.run::<GV, CHILD>(|_| 0, |i| extra[i], out),
            (false, true) => self.run::<GV, CHILD>(|i| retail[i], |_| 0, out),
            (false, false) => self.run::<GV, CHILD>(|i| retail[i], |i| extra[i], out),
        }
    }

    /// One forward pass over those participating. A distributor's GV is set when the pass
    /// reaches it, before any of its recruits (who come later) add to it; a recruit
    /// without recruits of its own adds its PV to its sponsor's GV here, so that the
    /// reverse GV pass need only visit those with recruits. Everyone else holds what
    /// someone not participating holds, and the recruits' PV and GV of everyone with
    /// recruits are reset (see [`PlanEngine::clear_the_rest`]). `retail(i)` is the retail
    /// customers' volume of `i`, `extra(i)` the preferred customers' and parties' volume
    /// of `i` (summed into `preferred_volume`). `GV`, `CHILD`: the plan reads GV, the
    /// recruits' PV (else their arrays are empty and nothing is written there).
    #[inline(always)]
    fn run<const GV: bool, const CHILD: bool>(
        &self,
        retail: impl Fn(usize) -> i64,
        extra: impl Fn(usize) -> i64,
        o: Out,
    ) -> Measures {
        let Out {
            participants,
            pv,
            gv,
            child_pv,
            qualified,
            rank,
            max_rank,
        } = o;
        let mut t = Measures::default();
        let (own, sponsor, has_child) = (self.own, self.sponsor, self.has_child);
        let len = participants.len();
        for (k, &i) in participants.iter().enumerate() {
            if k + AHEAD < len {
                // Sponsors are scattered: ask for a later one's lines ahead of time.
                let s = sponsor[participants[k + AHEAD] as usize];
                if s != NO_SPONSOR {
                    if CHILD {
                        prefetch(&child_pv[s as usize]);
                    }
                    if GV {
                        prefetch(&gv[s as usize]);
                    }
                }
            }
            let i = i as usize;
            let (r, f) = (retail(i), extra(i));
            let p = own[i] + r + f;
            pv[i] = p;
            if GV {
                gv[i] = p;
            }
            let s = sponsor[i];
            if s != NO_SPONSOR && p != 0 {
                assert!((s as usize) < i, "a sponsor must come before its recruit");
                if CHILD {
                    child_pv[s as usize] += p;
                }
                if GV && !has_child[i] {
                    gv[s as usize] += p;
                }
            }
            t.volume += p;
            t.retail_volume += r;
            t.preferred_volume += f;
            let q = p >= self.min_pv;
            qualified[i] = q;
            t.qualified += q as u32;
            if self.trivial_ranks {
                rank[i] = self.top;
                if self.fuse_max_rank {
                    max_rank[i] = self.top;
                }
            }
        }
        t.participating = len as u32;
        t
    }
}

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
    for (j, &i) in internal.iter().enumerate().rev() {
        if j >= AHEAD {
            // Sponsors are scattered: ask for a later one's line ahead of time.
            let s = sponsor[internal[j - AHEAD] as usize];
            if s != NO_SPONSOR {
                prefetch(&gv[s as usize]);
            }
        }
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
