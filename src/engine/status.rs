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
        let n = m.sponsor.len();
        let qualified = v.qualified;
        let plan = self.plan;
        if plan.has_rank_requirements() {
            let input = ranks::RankInput {
                sponsor: m.sponsor,
                participating: &m.participating[..n],
                qualified: &self.qualified[..n],
                pv: &self.pv[..n],
                gv: &self.gv[..n],
            };
            ranks::evaluate_ranks(plan, &input, &mut self.rank[..n], &mut self.rank_scratch);
        }
        self.evaluate_sponsored_legs(m);
        qualified
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
        if !plan.has_rank_requirements() {
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
        for (&r, mr) in self.rank[..n].iter().zip(&mut self.max_rank[..n]) {
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
