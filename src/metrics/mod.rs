//! What a run produces: monthly rows, a per-run summary, and optionally one row per
//! distributor. All money in cents, all volume in hundredths of a point.

/// One month of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthRow {
    /// The month (1 = first).
    pub month: u16,
    /// Participating distributors (joined and not quit).
    pub active: u32,
    /// Joined this month (the founders in month 1).
    pub joined: u32,
    /// Quit at the start of this month.
    pub quit: u32,
    /// Active in the plan's sense (PV ≥ `active.min_pv`).
    pub qualified: u32,
    /// Total PV, hundredths of a point.
    pub volume: i64,
    /// PV from retail customers, hundredths of a point.
    pub retail_volume: i64,
    /// PV from preferred customers, hundredths of a point.
    pub preferred_volume: i64,
    /// PV from party sales, hundredths of a point.
    pub party_volume: i64,
    /// Host rewards paid by the company to party hosts (not in `payout`), cents.
    pub host_rewards: i64,
    /// Value of the total PV, cents.
    pub volume_value: i64,
    /// Commissions paid by the company, cents (after the cap).
    pub payout: i64,
    /// Commissions before the cap, cents.
    pub payout_before_cap: i64,
    /// Retail margin earned by distributors from customers, cents.
    pub retail_profit: i64,
    /// Per bonus (plan order), cents.
    pub by_bonus: Vec<i64>,
    /// Distributors paid as each rank.
    pub rank_counts: Vec<u32>,
    /// Where the payout came from (adds up to `payout`).
    pub sources: crate::engine::Sources,
    /// What the company-paid bonuses would have paid had every participant been active,
    /// before the cap, cents. Breakage is this minus `payout`.
    pub potential: i64,
    /// Stock movements (only with the scenario's `[inventory]`).
    pub stock: Option<crate::simulation::inventory::StockMonth>,
}

/// Everyone who ever joined in one run (structure of arrays, join order).
#[derive(Clone, Debug, Default)]
pub struct DistributorTable {
    /// Sponsor index or `NO_SPONSOR`.
    pub sponsor: Vec<u32>,
    /// Join month.
    pub join_month: Vec<u16>,
    /// Quit month or `NEVER` (still in at the horizon).
    pub quit_month: Vec<u16>,
    /// Personally sponsored recruits.
    pub recruits: Vec<u32>,
    /// Highest paid-as rank reached (`NO_RANK` for none).
    pub max_rank: Vec<u8>,
    /// Commissions paid by the company, cents.
    pub earnings: Vec<i64>,
    /// Retail margin, cents.
    pub retail_profit: Vec<i64>,
    /// Enrollment and annual fees paid, cents.
    pub fees: Vec<i64>,
    /// Own product purchases, cents.
    pub purchases: Vec<i64>,
    /// Business expenses, cents.
    pub expenses: Vec<i64>,
    /// Months participating within the horizon.
    pub months_active: Vec<u32>,
    /// PV of own orders over the run, hundredths of a point.
    pub own_volume: Vec<i64>,
    /// PV of retail customers' orders over the run, hundredths of a point.
    pub customer_volume: Vec<i64>,
    /// PV of preferred customers' orders over the run, hundredths of a point.
    pub preferred_volume: Vec<i64>,
    /// PV of the parties the distributor held over the run, hundredths of a point.
    pub party_volume: Vec<i64>,
    /// The part of `purchases` that only topped an order up to the plan's minimum, cents.
    pub required_purchases: Vec<i64>,
    /// The part of `purchases` bought only to reach the activity minimum (buying to
    /// qualify), cents.
    pub qualifying_purchases: Vec<i64>,
    /// Stock held, bought, sold, returned (only with the scenario's `[inventory]`).
    pub stock: Option<crate::simulation::inventory::StockTable>,
}

/// Headline figures of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// Everyone who ever joined.
    pub ever_joined: u64,
    /// Participating at the end of the last month.
    pub active_end: u64,
    /// Value of all volume over the run, cents.
    pub volume_value: i64,
    /// Commissions paid by the company over the run, cents.
    pub payout: i64,
    /// `payout ÷ volume_value`.
    pub payout_ratio: f64,
    /// What the cap withheld, cents.
    pub capped: i64,
    /// Retail margin over the run, cents.
    pub retail_profit: i64,
    /// Host rewards paid to party hosts over the run (not in `payout`), cents.
    pub host_rewards: i64,
    /// Mean commissions per person who ever joined, cents.
    pub mean_earnings: f64,
    /// Median commissions per person who ever joined, cents.
    pub median_earnings: f64,
    /// Share of everyone who ever joined who was paid nothing by the company.
    pub share_earning_nothing: f64,
    /// Share whose commissions and retail margin did not cover their fees and business
    /// expenses (product purchases are taken as consumed, not as a cost).
    pub share_net_loss: f64,
    /// Share of all commissions paid to the top 1% of earners.
    pub top1_share: f64,
}

impl RunSummary {
    /// Compute from the monthly rows and the per-person accumulators (cents; an empty
    /// `retail_profit` is no margin for anyone); `costs(i)` is person `i`'s fees and
    /// business expenses over the run.
    pub fn compute(
        monthly: &[MonthRow],
        earnings: &[i64],
        retail_profit: &[i64],
        costs: &dyn Fn(usize) -> i64,
        active_end: &[u32],
    ) -> RunSummary {
        let n = earnings.len();
        let volume_value: i64 = monthly.iter().map(|r| r.volume_value).sum();
        let payout: i64 = monthly.iter().map(|r| r.payout).sum();
        let capped: i64 = monthly.iter().map(|r| r.payout_before_cap - r.payout).sum();
        let retail: i64 = monthly.iter().map(|r| r.retail_profit).sum();
        let host_rewards: i64 = monthly.iter().map(|r| r.host_rewards).sum();
        // The median and the top 1% by selection, in linear time: a copy of the
        // earnings is partly ordered around the middle, then around the top 1%.
        let mut part = earnings.to_vec();
        let median = if n == 0 {
            0.0
        } else {
            let (below, &mut middle, _) = part.select_nth_unstable(n / 2);
            if n % 2 == 1 {
                middle as f64
            } else {
                // The largest of the lower half.
                let lower = below.iter().copied().max().unwrap_or(middle);
                (lower as f64 + middle as f64) / 2.0
            }
        };
        let zero = earnings.iter().filter(|&&e| e == 0).count();
        // An empty `retail_profit`: no one had a retail margin.
        let margin = |i: usize| retail_profit.get(i).copied().unwrap_or(0);
        let loss = (0..n)
            .filter(|&i| earnings[i] + margin(i) - costs(i) < 0)
            .count();
        let total: i64 = earnings.iter().sum();
        let top = n.div_ceil(100);
        let top_sum: i64 = if top == 0 {
            0
        } else {
            part.select_nth_unstable(n - top);
            part[n - top..].iter().sum()
        };
        let nf = n.max(1) as f64;
        RunSummary {
            ever_joined: n as u64,
            active_end: active_end.len() as u64,
            volume_value,
            payout,
            payout_ratio: if volume_value > 0 {
                payout as f64 / volume_value as f64
            } else {
                0.0
            },
            capped,
            retail_profit: retail,
            host_rewards,
            mean_earnings: total as f64 / nf,
            median_earnings: median,
            share_earning_nothing: zero as f64 / nf,
            share_net_loss: loss as f64 / nf,
            top1_share: if total > 0 {
                top_sum as f64 / total as f64
            } else {
                0.0
            },
        }
    }
}

/// Everything one run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Run number (0-based).
    pub run: u32,
    /// One row per month.
    pub monthly: Vec<MonthRow>,
    /// Headline figures.
    pub summary: RunSummary,
    /// One row per distributor, when kept.
    pub distributors: Option<DistributorTable>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The median and the top 1% share by selection equal those of a full sort.
    #[test]
    fn summary_median_and_top_share_match_a_sort() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for n in [0usize, 1, 2, 3, 4, 99, 100, 101, 200, 1001] {
            let earnings: Vec<i64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Mostly zero, some negative (charged back), a long tail.
                    match x % 4 {
                        0 | 1 => 0,
                        2 => -((x >> 40) as i64 % 500),
                        _ => (x >> 20) as i64 % 1_000_000,
                    }
                })
                .collect();
            let s = RunSummary::compute(&[], &earnings, &[], &|_| 0, &[]);
            let mut sorted = earnings.clone();
            sorted.sort_unstable();
            let median = match n {
                0 => 0.0,
                _ if n % 2 == 1 => sorted[n / 2] as f64,
                _ => (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0,
            };
            assert_eq!(s.median_earnings, median, "n = {n}");
            let total: i64 = sorted.iter().sum();
            let top: i64 = sorted[n - n.div_ceil(100)..].iter().sum();
            let share = if total > 0 {
                top as f64 / total as f64
            } else {
                0.0
            };
            assert_eq!(s.top1_share, share, "n = {n}");
        }
    }
}
