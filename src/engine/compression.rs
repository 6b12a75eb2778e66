//! Compression by qualification (`[pv_compression]`), the first step of the measures:
//! before anything is measured, each participant whose PV is below the plan's minimum
//! (and who holds no rank given for the month) is compressed out. Its PV — by source —
//! rolls up to the nearest ancestor who keeps its place and counts there as that one's
//! own; its kept recruits are re-attached to the same ancestor (or become tops when there
//! is none, and then the PV of those with no kept ancestor is paid on by no one). The
//! month's stages then run on the compressed tree; the company's volume stays the volume
//! bought.
//!
//! The compressed tree keeps the join order (an ancestor before its descendants), so
//! every roll-up stays one reverse pass. It is rebuilt every month: who keeps a place
//! changes from month to month.

use super::{MonthInput, Party, TreeIndex};
use crate::downline::NO_SPONSOR;
use crate::plan::NO_RANK;

/// The month's compressed tree and volumes.
#[derive(Debug, Default)]
pub(super) struct Compressed {
    /// Compressed sponsor ([`NO_SPONSOR`] for a top, and for those compressed out).
    pub sponsor: Vec<u32>,
    /// Keeps its place (compressed-out distributors do not participate in the month).
    pub participating: Vec<bool>,
    pub own: Vec<i64>,
    pub retail: Vec<i64>,
    pub preferred: Vec<i64>,
    /// The parties, each credited to whoever received its distributor's volume.
    pub parties: Vec<Party>,
    /// Who has recruits in the compressed tree.
    pub tree: TreeIndex,
    /// The nearest kept strict ancestor of each distributor.
    up: Vec<u32>,
    /// The month's volume as bought, by source: own, retail, preferred, party.
    pub bought: [i64; 4],
}

impl Compressed {
    /// Compress `m` with `min_pv` (hundredths of a point); `given` are the ranks given
    /// for the month (empty for none), which keep their holders' places.
    pub fn compress(&mut self, m: &MonthInput, min_pv: i64, given: &[u8]) {
        let n = m.sponsor.len();
        let has_pref = !m.preferred_pv.is_empty();
        // Party sales of each distributor, which count toward its PV.
        let mut party = vec![0i64; if m.parties.is_empty() { 0 } else { n }];
        for p in m.parties {
            if m.participating[p.distributor as usize] {
                party[p.distributor as usize] += p.pv;
            }
        }
        self.sponsor.resize(n, NO_SPONSOR);
        self.participating.resize(n, false);
        self.own.resize(n, 0);
        self.retail.resize(n, 0);
        self.preferred.resize(n, 0);
        self.up.resize(n, NO_SPONSOR);
        self.bought = [0; 4];
        let has_retail = !m.retail_pv.is_empty();
        for i in 0..n {
            let on = m.participating[i];
            let pref = if has_pref { m.preferred_pv[i] } else { 0 };
            let pty = if party.is_empty() { 0 } else { party[i] };
            let ret = if has_retail { m.retail_pv[i] } else { 0 };
            let pv = m.own_pv[i] + ret + pref + pty;
            let kept = on && (pv >= min_pv || (!given.is_empty() && given[i] != NO_RANK));
            let s = m.sponsor[i];
            let up = if s == NO_SPONSOR {
                NO_SPONSOR
            } else if self.participating[s as usize] {
                s
            } else {
                self.up[s as usize]
            };
            self.up[i] = up;
            self.participating[i] = kept;
            self.sponsor[i] = if kept { up } else { NO_SPONSOR };
            let (own, retail) = if on { (m.own_pv[i], ret) } else { (0, 0) };
            let pref = if on { pref } else { 0 };
            if on {
                self.bought[0] += own;
                self.bought[1] += retail;
                self.bought[2] += pref;
                self.bought[3] += pty;
            }
            if kept {
                self.own[i] = own;
                self.retail[i] = retail;
                self.preferred[i] = pref;
            } else {
                self.own[i] = 0;
                self.retail[i] = 0;
                self.preferred[i] = 0;
                if up != NO_SPONSOR {
                    // The ancestor was reached earlier in the pass (it joined first).
                    let u = up as usize;
                    self.own[u] += own;
                    self.retail[u] += retail;
                    self.preferred[u] += pref;
                }
            }
        }
        self.parties.clear();
        for p in m.parties {
            let d = p.distributor as usize;
            if !m.participating[d] {
                continue;
            }
            let to = if self.participating[d] {
                d as u32
            } else {
                self.up[d]
            };
            if to != NO_SPONSOR {
                self.parties.push(Party {
                    distributor: to,
                    pv: p.pv,
                });
            }
        }
        self.tree.rebuild(&self.sponsor[..n]);
    }

    /// The month as the stages see it: the compressed tree and volumes.
    pub fn month<'a>(&'a self, m: &MonthInput<'a>) -> MonthInput<'a> {
        let n = m.sponsor.len();
        MonthInput {
            month: m.month,
            sponsor: &self.sponsor[..n],
            join_month: m.join_month,
            participating: &self.participating[..n],
            own_pv: &self.own[..n],
            retail_pv: &self.retail[..n],
            preferred_pv: if m.preferred_pv.is_empty() {
                &[]
            } else {
                &self.preferred[..n]
            },
            parties: &self.parties,
        }
    }
}
