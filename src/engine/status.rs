//! Stage 2 of a month, **status**: who is active (qualified), each one's paid-as rank,
//! the highest rank reached, and the binary plan's leg qualification. Reads the measures
//! of this month and the statuses of earlier months.

use super::measures::Measures;
use super::{placement, ranks, MonthInput, PlanEngine};
use crate::downline::NO_SPONSOR;
use crate::plan::{Bonus, NO_RANK};

impl PlanEngine<'_> {
    /// Evaluate the month's statuses into `qualified`, `rank` and `sponsored_legs`;
    /// returns how many are active. The forward pass of the measures has already written
    /// what reads this month's PV alone (see [`PlanEngine::measure`]).
    pub(super) fn evaluate_status(&mut self, m: &MonthInput, v: &Measures) -> u32 {
        let qualified = if self.plan.window_months > 1 {
            self.extend_activity(m, v.qualified)
        } else {
            v.qualified
        };
        if self.plan.has_rank_requirements() || !self.given_rank.is_empty() {
            self.evaluate_ranks(m);
        } else if self.plan.uses_titles() {
            let n = m.sponsor.len();
            self.title.resize(n, NO_RANK);
            for ((t, &mr), &r) in self.title[..n]
                .iter_mut()
                .zip(&self.max_rank[..n])
                .zip(&self.rank[..n])
            {
                *t = if mr == NO_RANK || (r != NO_RANK && r > mr) {
                    r
                } else {
                    mr
                };
            }
        }
        self.evaluate_sponsored_legs(m);
        qualified
    }

    /// Qualification windows: a qualifying month (PV at least `active.min_pv`) keeps a
    /// participant active through the `window_months − 1` months after it. Returns how
    /// many are active.
    fn extend_activity(&mut self, m: &MonthInput, mut count: u32) -> u32 {
        let n = m.sponsor.len();
        let month = m.month as i32;
        let last = month + self.plan.window_months as i32 - 1;
        self.active_until.resize(n, i32::MIN);
        for i in 0..n {
            if self.qualified[i] {
                self.active_until[i] = last;
            } else if m.participating[i] && month <= self.active_until[i] {
                self.qualified[i] = true;
                count += 1;
            }
        }
        count
    }

    /// Paid-as ranks (and titles) by the plan's requirements, grace and given ranks.
    fn evaluate_ranks(&mut self, m: &MonthInput) {
        let plan = self.plan;
        let n = m.sponsor.len();
        let w = &self.windows;
        let pv: Vec<&[i64]> = std::iter::once(&self.pv[..n])
            .chain(w.pv.iter().map(|x| &x.sum[..n]))
            .collect();
        let gv: Vec<&[i64]> = std::iter::once(&self.gv[..n])
            .chain(w.gv.iter().map(|x| &x.sum[..n]))
            .collect();
        if plan.uses_titles() {
            self.title.resize(n, NO_RANK);
        }
        if plan.grace_months > 0 {
            self.held_rank.resize(n, NO_RANK);
            self.short_months.resize(n, 0);
        }
        let given = &self.given_rank[..self.given_rank.len().min(n)];
        assert!(
            given.is_empty() || given.len() == n,
            "given ranks must cover the month's downline"
        );
        let input = ranks::RankInput {
            sponsor: m.sponsor,
            participating: &m.participating[..n],
            qualified: &self.qualified[..n],
            pv: &pv,
            gv: &gv,
            child_pv: &self.child_pv[..self.child_pv.len().min(n)],
            accumulated_pv: &w.accumulated,
            prior_title: &self.max_rank[..n],
            given,
            participants: &self.participants,
            internal: &self.tree.internal,
        };
        let t = self.title.len().min(n);
        let h = self.held_rank.len().min(n);
        let out = ranks::RankOutput {
            rank: &mut self.rank[..n],
            title: &mut self.title[..t],
            held: &mut self.held_rank[..h],
            short: &mut self.short_months[..h],
        };
        ranks::evaluate_ranks(plan, &input, out, &mut self.rank_scratch);
    }

    /// Binary qualification: bit `leg` of `sponsored_legs[i]` when an active personally
    /// sponsored recruit of `i` is placed in that leg (left empty when no rule reads it).
    fn evaluate_sponsored_legs(&mut self, m: &MonthInput) {
        self.sponsored_legs.clear();
        let needed = self.plan.bonuses.iter().any(|b| {
            matches!(
                b,
                Bonus::Binary {
                    require_sponsored_legs: true,
                    ..
                }
            )
        });
        if !needed {
            return;
        }
        let n = m.sponsor.len();
        self.sponsored_legs.resize(n, 0);
        let sl = &self.placement.sponsor_leg;
        for i in 0..n {
            let s = m.sponsor[i];
            if self.qualified[i] && s != NO_SPONSOR && sl[i] != placement::NO_LEG {
                self.sponsored_legs[s as usize] |= 1 << sl[i];
            }
        }
    }

    /// After the bonuses (rank advancement reads the highest rank reached before this
    /// month): count those paid as each rank and raise each one's highest rank reached.
    pub(super) fn count_ranks(&mut self, n: usize, v: &Measures) -> Vec<u32> {
        let plan = self.plan;
        let mut counts = vec![0u32; plan.ranks.len()];
        if !plan.has_rank_requirements() && self.given_rank.is_empty() {
            // Everyone participating was paid as the top rank.
            let top = plan.ranks.len() - 1;
            counts[top] = v.participating;
            if plan.has_rank_advancement() {
                for (mr, &r) in self.max_rank[..n].iter_mut().zip(&self.rank[..n]) {
                    if r != NO_RANK {
                        *mr = r;
                    }
                }
            }
            return counts;
        }
        // Only those participating have a rank.
        for &i in &self.participants {
            let (r, mr) = (self.rank[i as usize], &mut self.max_rank[i as usize]);
            if r != NO_RANK {
                counts[r as usize] += 1;
                if *mr == NO_RANK || r > *mr {
                    *mr = r;
                }
            }
        }
        counts
    }
}
