//! Event bonuses and allowances: fixed amounts, not rates on volume.
//!
//! - **Sponsoring** (`kind = "sponsoring"`): a fixed amount to the sponsor (and, by level,
//!   to the upline) for each new recruit who qualifies — when the recruit's first order
//!   (its first month with PV) reaches `min_pv`, or when the recruit first reaches a rank
//!   within `within_months` of joining. Paid once per recruit.
//! - **Allowance** (`kind = "allowance"`): a fixed amount every month to each distributor
//!   who has been paid as a rank (or higher) for `months_held` months in a row — a car
//!   allowance — the amount of the highest such rank.
//!
//! Both keep state from month to month (who has ordered or reached the rank; how long a
//! rank has been held); neither runs in the what-if evaluations (they are not paid on
//! volume).

use crate::downline::NO_SPONSOR;
use crate::plan::NO_RANK;

/// What triggers a sponsoring bonus.
#[derive(Clone, Copy, Debug)]
pub enum Trigger {
    /// The recruit's first month with PV has at least this PV (hundredths of a point).
    FirstOrder(i64),
    /// The recruit is first paid as this rank or higher within this many months of
    /// joining (the join month is the first).
    Rank(u8, u16),
}

/// Who a bonus's state has seen (one flag per distributor), or how long each has held
/// each rank of an allowance.
#[derive(Clone, Debug, Default)]
pub struct State {
    done: Vec<bool>,
    streak: Vec<u16>,
}

/// Inputs of one month.
pub struct Month<'a> {
    /// The month.
    pub month: u16,
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// Join month of each distributor.
    pub join_month: &'a [u16],
    /// PV this month.
    pub pv: &'a [i64],
    /// Participating this month.
    pub participating: &'a [bool],
    /// Active this month.
    pub qualified: &'a [bool],
    /// The rank each one is read by.
    pub rank: &'a [u8],
}

/// Pay a sponsoring bonus: `amounts[level - 1]` cents to each eligible upline level of
/// each recruit who qualifies this month. Returns the total.
pub fn pay_sponsoring(
    m: &Month,
    trigger: Trigger,
    amounts: &[i64],
    require_active: bool,
    s: &mut State,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    s.done.resize(n, false);
    out[..n].fill(0);
    let mut total = 0;
    for i in 0..n {
        if s.done[i] || !m.participating[i] {
            continue;
        }
        let qualifies = match trigger {
            Trigger::FirstOrder(min_pv) => {
                if m.pv[i] == 0 {
                    continue;
                }
                s.done[i] = true;
                m.pv[i] >= min_pv
            }
            Trigger::Rank(rank, within) => {
                if m.month.saturating_sub(m.join_month[i]) >= within {
                    s.done[i] = true;
                    continue;
                }
                let r = m.rank[i];
                if r == NO_RANK || r < rank {
                    continue;
                }
                s.done[i] = true;
                true
            }
        };
        if !qualifies {
            continue;
        }
        let mut p = m.sponsor[i];
        for &amount in amounts {
            if p == NO_SPONSOR {
                break;
            }
            let a = p as usize;
            let eligible = if require_active {
                m.qualified[a]
            } else {
                m.participating[a]
            };
            if eligible && amount != 0 {
                out[a] += amount;
                total += amount;
            }
            p = m.sponsor[a];
        }
    }
    total
}

/// Pay an allowance: to each active distributor, `amounts[k]` cents for the highest
/// `ranks[k]` it has been paid as (or higher) for `months_held` months in a row.
pub fn pay_allowance(
    m: &Month,
    ranks: &[u8],
    amounts: &[i64],
    months_held: u16,
    s: &mut State,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let k = ranks.len();
    s.streak.resize(n * k, 0);
    out[..n].fill(0);
    let mut total = 0;
    for i in 0..n {
        let r = m.rank[i];
        let mut pay = 0;
        for (j, &need) in ranks.iter().enumerate() {
            let held = &mut s.streak[i * k + j];
            *held = if r != NO_RANK && r >= need {
                held.saturating_add(1)
            } else {
                0
            };
            if *held >= months_held {
                pay = amounts[j];
            }
        }
        if pay != 0 && m.qualified[i] {
            out[i] = pay;
            total += pay;
        }
    }
    total
}
