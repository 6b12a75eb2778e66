//! Stage 4 of a month, **cap, rounding and totals**: the payout cap (shared out to the
//! cent), where the payout came from (customers by source, own purchases, the downline),
//! what it would have been with everyone active (breakage), rank counts and the highest
//! rank reached. Every ledger line was rounded once by its bonus; nothing here rounds
//! again except the cap's share-out, whose lines add up to the cap exactly.

use super::bonus::Paid;
use super::measures::Measures;
use super::{MonthInput, MonthTotals, PlanEngine, Sources};
use crate::money::{scale_to_cap, volume_value, RATE_ONE};
use crate::plan::Placement;

impl PlanEngine<'_> {
    /// Apply the cap to `amounts`, attribute the payout to its sources and sum the month up.
    pub(super) fn close_month(
        &mut self,
        m: &MonthInput,
        v: &Measures,
        qualified: u32,
        paid: Paid,
    ) -> MonthTotals {
        let plan = self.plan;
        let n = m.sponsor.len();
        let pvm = plan.point_value;
        let mut by_bonus = paid.by_bonus;
        let volume_value_cents = volume_value(v.volume, pvm);
        let payout_before_cap: i64 = plan
            .bonuses
            .iter()
            .zip(&by_bonus)
            .filter(|(b, _)| b.in_payout())
            .map(|(_, &t)| t)
            .sum();
        let host_rewards: i64 = plan
            .bonuses
            .iter()
            .zip(&by_bonus)
            .filter(|(b, _)| b.paid_to_host())
            .map(|(_, &t)| t)
            .sum();
        let mut payout = payout_before_cap;
        if let Some(cap_rate) = plan.cap {
            let cap = (v.volume as i128 * pvm as i128 * cap_rate as i128
                / (RATE_ONE as i128 * RATE_ONE as i128)) as i64;
            if payout_before_cap > cap {
                let mut lines: Vec<&mut i64> = Vec::new();
                for (b, a) in self.amounts.iter_mut().enumerate() {
                    if plan.bonuses[b].in_payout() {
                        lines.extend(a[..n].iter_mut().filter(|x| **x != 0));
                    }
                }
                scale_to_cap(&mut lines, cap);
                payout = cap;
                for (b, t) in by_bonus.iter_mut().enumerate() {
                    *t = self.amounts[b][..n].iter().sum();
                }
            }
        }

        // Attribute the payout to the volume it was paid on, exactly to the cent: the cap
        // scales every part alike; what rounding leaves goes to downline purchases.
        let other_before_cap = payout_before_cap - paid.volume_bonuses;
        let scale = |x: i64| -> i64 {
            if payout_before_cap == 0 {
                0
            } else {
                (x as i128 * payout as i128 / payout_before_cap as i128) as i64
            }
        };
        let [from_retail, from_preferred, from_party] = paid.from_source.map(scale);
        let from_other = scale(other_before_cap);
        let from_own = scale(paid.own);
        let mut sources = Sources {
            retail: from_retail,
            preferred: from_preferred,
            party: from_party,
            own: from_own,
            downline: payout - from_retail - from_preferred - from_party - from_own - from_other,
            other: from_other,
        };
        // Each source's pay is rounded on its own; when that leaves downline purchases a
        // few cents below zero (nothing was paid on them), the largest source gives them.
        if sources.downline < 0 {
            let largest = [
                &mut sources.retail,
                &mut sources.preferred,
                &mut sources.party,
                &mut sources.own,
            ]
            .into_iter()
            .max_by_key(|x| **x)
            .expect("four sources");
            *largest += sources.downline;
            sources.downline = 0;
        }
        let potential = paid.potential_volume_bonuses + other_before_cap;

        if matches!(plan.placement, Placement::Binary(_)) {
            self.placement.close_month(n);
        }
        let rank_counts = self.count_ranks(n, v);
        self.given_rank.clear();
        MonthTotals {
            sources,
            potential,
            volume: v.volume,
            retail_volume: v.retail_volume,
            preferred_volume: v.preferred_volume,
            party_volume: v.party_volume,
            host_rewards,
            volume_value: volume_value_cents,
            by_bonus,
            payout,
            payout_before_cap,
            qualified,
            rank_counts,
            chargebacks: paid.chargebacks,
        }
    }
}
