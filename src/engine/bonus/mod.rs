//! Bonus kinds, one file each. Every kind writes this month's amount per distributor, in
//! cents, into its own slice; the cap and the ledger read those slices.

pub mod binary;
pub mod differential;
pub mod fast_start;
pub mod generation;
pub mod matching;
pub mod matrix;
pub mod party;
pub mod personal;
pub mod pool;
pub mod rank_advancement;
pub mod retail;
pub mod sponsoring;
pub mod stairstep;
pub mod unilevel;

/// The scratch arrays of every bonus kind, reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    /// Unilevel (and matching's level passes).
    pub unilevel: unilevel::Scratch,
    /// Exact accumulators per person (walking evaluations, rounded per line).
    pub acc: Vec<i128>,
    /// Fast start's lines.
    pub fast_start: fast_start::Lines,
    /// Differential.
    pub differential: differential::Scratch,
    /// Matching.
    pub matching: matching::Scratch,
    /// Stairstep.
    pub stairstep: stairstep::Scratch,
    /// Matrix.
    pub matrix: matrix::Scratch,
    /// Generation sums.
    pub generation: Vec<i64>,
    /// Sponsoring bonuses' and allowances' state, per bonus of the plan.
    pub events: Vec<sponsoring::State>,
    /// Active personally sponsored distributors of each (levels unlocked by legs).
    pub legs: Vec<u32>,
    /// Who counts as a level in a unilevel compressed by rank.
    pub counts: Vec<bool>,
    /// Binary carry, per bonus of the plan (state kept across months, not scratch).
    pub binary: Vec<binary::State>,
}

use super::measures::Measures;
use super::{MonthInput, Party, PlanEngine};
use crate::downline::NO_SPONSOR;
use crate::money::{
    round_div, MAX_MONTH_PAY_CENTS, MAX_MONTH_VALUE_CENTS, MAX_MONTH_VOLUME, RATE_ONE,
};
use crate::plan::{Bonus, CompiledPlan, NO_RANK, ON_PARTY, ON_PREFERRED, ON_RETAIL};

/// The terms of a walking evaluation (each payee's pay from one distributor's volume),
/// paid either rounded one by one (`[rounding] per = "term"`) or summed exactly per payee
/// and rounded once per line.
pub struct Terms<'a> {
    per_term: bool,
    point_value: i64,
    /// Each payee's exact sum; all zero between evaluations (`finish` clears what it
    /// read), so that a month pays for its payees only, not for everyone.
    acc: &'a mut Vec<i128>,
    /// The payees with a sum (an index may appear twice; the second finds it cleared).
    touched: Vec<u32>,
    total: i128,
}

impl<'a> Terms<'a> {
    /// Start paying `n` distributors into `out` (cleared), with `acc` as scratch: all
    /// zero, as every `finish` leaves it.
    pub fn new(per_term: bool, point_value: i64, acc: &'a mut Vec<i128>, out: &mut [i64]) -> Self {
        let n = out.len();
        out.fill(0);
        if !per_term && acc.len() < n {
            acc.resize(n, 0);
        }
        debug_assert!(acc.iter().all(|&a| a == 0));
        Terms {
            per_term,
            point_value,
            acc,
            touched: Vec::new(),
            total: 0,
        }
    }

    /// Pay `term` (volume × rate, hundredths × millionths) to `payee`.
    #[inline]
    pub fn add(&mut self, out: &mut [i64], payee: usize, term: i128) {
        if self.per_term {
            let c = cents_of(term, self.point_value);
            out[payee] = out[payee].saturating_add(c);
            self.total += c as i128;
        } else {
            let a = &mut self.acc[payee];
            if *a == 0 {
                self.touched.push(payee as u32);
            }
            *a += term;
        }
    }

    /// Round the lines (when summed) and return the total paid.
    pub fn finish(self, out: &mut [i64]) -> i64 {
        let mut total = self.total;
        for &i in &self.touched {
            let a = std::mem::take(&mut self.acc[i as usize]);
            if a != 0 {
                out[i as usize] = cents_of(a, self.point_value);
                total += out[i as usize] as i128;
            }
        }
        crate::money::saturate(total)
    }
}

/// Cents of `acc` = Σ volume (hundredths of a point) × rate (millionths), at `point_value`
/// (millionths of currency per point): `round(acc × point_value / 10¹²)`, half away from
/// zero. The common case (point value 1, amounts that fit 64 bits) avoids 128-bit division.
#[inline]
pub fn cents_of(acc: i128, point_value: i64) -> i64 {
    const HALF: i64 = RATE_ONE / 2;
    if point_value == RATE_ONE && acc >= 0 && acc < (i64::MAX - HALF) as i128 {
        (acc as i64 + HALF) / RATE_ONE
    } else {
        round_div(
            acc * point_value as i128,
            (RATE_ONE as i128) * (RATE_ONE as i128),
        )
    }
}

/// What the month's bonuses paid, before the cap, and the what-if evaluations that trace
/// the payout to its sources and measure breakage.
pub(super) struct Paid {
    /// Per bonus, in plan order, cents.
    pub by_bonus: Vec<i64>,
    /// The part paid on the payees' own non-retail purchases, cents.
    pub own: i64,
    /// What the bonuses in the payout pay on retail, preferred and party volume alone.
    pub from_source: [i64; 3],
    /// The volume-based bonuses' total.
    pub volume_bonuses: i64,
    /// What the volume-based bonuses would pay had every participant been active.
    pub potential_volume_bonuses: i64,
    /// Charged back on this month's returns, cents.
    pub chargebacks: i64,
}

impl PlanEngine<'_> {
    /// Stage 3 of a month, **bonuses**: every bonus of the plan into `amounts`, then the
    /// what-if evaluations (each customer source's volume alone; everyone active).
    pub(in crate::engine) fn pay(&mut self, m: &MonthInput, v: &Measures, qualified: u32) -> Paid {
        let plan = self.plan;
        let n = m.sponsor.len();
        let mut amounts = std::mem::take(&mut self.amounts);
        let ctx = BonusCtx {
            month: m.month,
            sponsor: m.sponsor,
            join_month: m.join_month,
            participating: &m.participating[..n],
            participants: &self.participants,
            retail_pv: if m.retail_pv.is_empty() {
                &[]
            } else {
                &m.retail_pv[..n]
            },
            preferred_pv: if m.preferred_pv.is_empty() {
                &[]
            } else {
                &m.preferred_pv[..n]
            },
            party_pv: &self.party_pv,
            own_pv: &m.own_pv[..n],
            parties: m.parties,
            pass: ON_PARTY | ON_RETAIL | ON_PREFERRED,
            totals_only: false,
            pv: &self.pv[..n],
            tier_pv: &self.pv[..n],
            child_pv: &self.child_pv[..self.child_pv.len().min(n)],
            qualified: &self.qualified[..n],
            rank: &self.rank[..n],
            max_rank: &self.max_rank[..n],
            title: &self.title[..self.title.len().min(n)],
            internal: &self.tree.internal,
            total_pv: v.volume,
            leg_pv: &self.placement.leg_pv,
            sponsored_legs: &self.sponsored_legs,
            placement_parent: &self.placement.parent,
        };
        let (by_bonus, own_before_cap) =
            pay_bonuses(plan, &ctx, false, &mut self.bonus_scratch, &mut amounts);
        self.amounts = amounts;
        if let Some(e) = month_pay_error(plan, v.volume, &by_bonus) {
            // Nothing of this month is kept: the run stops with the error.
            self.money_error = Some(e);
            return Paid {
                by_bonus: vec![0; by_bonus.len()],
                own: 0,
                from_source: [0; 3],
                volume_bonuses: 0,
                potential_volume_bonuses: 0,
                chargebacks: 0,
            };
        }

        // What the bonuses in the payout pay on each customer source's volume alone (the
        // same people active, at the same ranks): bonuses are linear in volume, so the
        // rest of their volume-based pay came from participants' own purchases.
        let mut from_source_before_cap = [0i64; 3];
        let source_volume = [v.retail_volume, v.preferred_volume, v.party_volume];
        for (k, bit) in [ON_RETAIL, ON_PREFERRED, ON_PARTY].into_iter().enumerate() {
            if source_volume[k] == 0 {
                continue;
            }
            let src: &[i64] = match bit {
                ON_RETAIL => &m.retail_pv[..n],
                ON_PREFERRED => &m.preferred_pv[..n],
                _ => &self.party_pv[..n],
            };
            // Only those participating have this month's volume.
            let (rpv, child) = (&mut self.rpv, &mut self.child_rpv);
            let with_child = !self.child_pv.is_empty();
            let on = self.participants.iter().map(|&i| i as usize);
            what_if_pv(rpv, child, with_child, m.sponsor, on, |i| src[i]);
            let mut shadow = take_shadow(&mut self.shadow, plan, n, true);
            let ctx = BonusCtx {
                pv: &self.rpv[..n],
                child_pv: &self.child_rpv[..self.child_rpv.len().min(n)],
                total_pv: source_volume[k],
                pass: bit,
                totals_only: true,
                ..ctx
            };
            let (t, _) = pay_bonuses(plan, &ctx, true, &mut self.bonus_scratch, &mut shadow);
            self.shadow = shadow;
            from_source_before_cap[k] = t.iter().sum();
        }
        // Charge-backs: what the volume returned this month under the buy-back pays.
        let mut chargebacks = 0i64;
        self.chargebacks.clear();
        if !self.returns.is_empty() && plan.buyback.is_some_and(|b| b.charge_back) {
            let returns = &self.returns;
            let total = what_if_pv(
                &mut self.rpv,
                &mut self.child_rpv,
                !self.child_pv.is_empty(),
                m.sponsor,
                0..returns.len().min(n),
                |i| returns[i],
            );
            if total > 0 {
                let mut shadow = take_shadow(&mut self.shadow, plan, n, false);
                let ctx = BonusCtx {
                    pv: &self.rpv[..n],
                    child_pv: &self.child_rpv[..self.child_rpv.len().min(n)],
                    total_pv: total,
                    pass: 0,
                    ..ctx
                };
                pay_bonuses(plan, &ctx, true, &mut self.bonus_scratch, &mut shadow);
                self.chargebacks.resize(n, 0);
                for (b, bonus) in plan.bonuses.iter().enumerate() {
                    if bonus.is_volume_based() && bonus.in_payout() {
                        for (c, &a) in self.chargebacks.iter_mut().zip(&shadow[b][..n]) {
                            *c += a;
                        }
                    }
                }
                chargebacks = self.chargebacks.iter().sum();
                self.shadow = shadow;
            }
        }
        // What they would pay had every participant been active (breakage is the gap).
        let volume_bonuses_before_cap: i64 = plan
            .bonuses
            .iter()
            .zip(&by_bonus)
            .filter(|(b, _)| b.is_volume_based())
            .map(|(_, &t)| t)
            .sum();
        let potential_volume_bonuses = if qualified < v.participating {
            let mut shadow = take_shadow(&mut self.shadow, plan, n, true);
            let ctx = BonusCtx {
                qualified: &m.participating[..n],
                totals_only: true,
                ..ctx
            };
            let (t, _) = pay_bonuses(plan, &ctx, true, &mut self.bonus_scratch, &mut shadow);
            self.shadow = shadow;
            t.iter().sum::<i64>()
        } else {
            volume_bonuses_before_cap
        };

        Paid {
            by_bonus,
            own: own_before_cap,
            from_source: from_source_before_cap,
            volume_bonuses: volume_bonuses_before_cap,
            potential_volume_bonuses,
            chargebacks,
        }
    }
}

/// A what-if's PV: `pv[i] = volume(i)` for each `i` of `who` (ascending; everyone else
/// none), and (`with_child`: the plan reads it; else `child` is left empty) each one's
/// recruits' sum in `child`; returns the total.
fn what_if_pv(
    pv: &mut Vec<i64>,
    child: &mut Vec<i64>,
    with_child: bool,
    sponsor: &[u32],
    who: impl Iterator<Item = usize>,
    volume: impl Fn(usize) -> i64,
) -> i64 {
    let n = sponsor.len();
    pv.clear();
    pv.resize(n, 0);
    child.clear();
    child.resize(if with_child { n } else { 0 }, 0);
    let mut total = 0i64;
    for i in who {
        let r = volume(i);
        pv[i] = r;
        total += r;
        let s = sponsor[i];
        if with_child && s != NO_SPONSOR && r != 0 {
            child[s as usize] += r;
        }
    }
    total
}

/// The what-if evaluations' amounts (taken out of `shadow`, to be put back), sized for `n`
/// people for the bonuses whose lines the evaluation writes (see [`writes_lines`]): volume-
/// based ones only, and only once a what-if is needed, so a plan or month without one
/// keeps no such array per person; nor does a what-if that reads totals only, for the
/// bonuses that can give their total without lines.
fn take_shadow(
    shadow: &mut Vec<Vec<i64>>,
    plan: &CompiledPlan,
    n: usize,
    totals_only: bool,
) -> Vec<Vec<i64>> {
    let mut s = std::mem::take(shadow);
    for (b, (a, bonus)) in s.iter_mut().zip(&plan.bonuses).enumerate() {
        if bonus.is_volume_based() && writes_lines(plan, b, totals_only) && a.len() < n {
            a.resize(n, 0);
        }
    }
    s
}

/// Whether an evaluation writes each payee's line of bonus `b`: always, unless it reads
/// totals only (a what-if) and the bonus can give its total without them — a unilevel
/// by level sums, fast start with lines rounded (not each term), a pool — and no
/// matching bonus matches its lines.
fn writes_lines(plan: &CompiledPlan, b: usize, totals_only: bool) -> bool {
    if !totals_only
        || plan
            .bonuses
            .iter()
            .any(|x| matches!(x, Bonus::Matching { on, .. } if on.contains(&b)))
    {
        return true;
    }
    match &plan.bonuses[b] {
        Bonus::Unilevel {
            levels_by_active_legs,
            skip_unqualified,
            ..
        } => plan.round_per_term || *levels_by_active_legs || *skip_unqualified,
        Bonus::FastStart { .. } => plan.round_per_term,
        Bonus::Pool { .. } => false,
        _ => true,
    }
}

/// Why a month's pay cannot be exact, if it cannot: its volume is above the bounds the
/// sums are proven for, or all its bonuses together pay more than
/// [`MAX_MONTH_PAY_CENTS`] (added exactly; a bonus whose lines were held at the 64-bit
/// bounds adds up to more).
fn month_pay_error(plan: &CompiledPlan, volume: i64, by_bonus: &[i64]) -> Option<String> {
    let value = volume as i128 * plan.point_value as i128 / RATE_ONE as i128;
    if !(0..=MAX_MONTH_VOLUME).contains(&volume) || value > MAX_MONTH_VALUE_CENTS as i128 {
        return Some(format!(
            "the month's volume is above {} points or worth more than 100,000,000,000,000, the most a month may hold",
            crate::money::Volume(MAX_MONTH_VOLUME).to_decimal()
        ));
    }
    let total: i128 = by_bonus.iter().map(|&t| t as i128).sum();
    if total <= MAX_MONTH_PAY_CENTS as i128 && by_bonus.iter().all(|&t| t >= 0) {
        return None;
    }
    let (b, &largest) = by_bonus
        .iter()
        .enumerate()
        .max_by_key(|(_, t)| t.unsigned_abs())
        .expect("a month that pays has a bonus");
    Some(format!(
        "the bonuses would pay more than 100,000,000,000,000 in one month, the most a month may pay (bonus[{b}] {} alone: {}{}); the volumes or the plan's amounts are too large for exact money",
        plan.bonuses[b].name(),
        if largest.unsigned_abs() >= i64::MAX as u64 { "at least " } else { "" },
        crate::money::Money(largest.saturating_abs()).to_decimal(),
    ))
}

/// What the bonuses of a month read.
#[derive(Clone, Copy)]
pub(super) struct BonusCtx<'a> {
    month: u16,
    sponsor: &'a [u32],
    join_month: &'a [u16],
    participating: &'a [bool],
    /// Those participating, in join order.
    participants: &'a [u32],
    /// The month's real volume by source (empty: none), whatever the evaluation.
    retail_pv: &'a [i64],
    preferred_pv: &'a [i64],
    party_pv: &'a [i64],
    own_pv: &'a [i64],
    parties: &'a [Party],
    /// The customer sources this evaluation pays on (party commissions read it; the
    /// other bonuses read `pv`, which holds just those sources in a what-if).
    pass: u8,
    pv: &'a [i64],
    /// The month's real PV (decides stairstep tiers even when `pv` is a part of it).
    tier_pv: &'a [i64],
    child_pv: &'a [i64],
    qualified: &'a [bool],
    rank: &'a [u8],
    /// Title this month (empty unless a bonus or rank reads it).
    title: &'a [u8],
    max_rank: &'a [u8],
    internal: &'a [u32],
    total_pv: i64,
    /// This month's PV of each binary leg, `leg_pv[2 i + leg]` (empty without a binary
    /// placement). From the real PV: binary is never evaluated in what-if passes.
    leg_pv: &'a [i64],
    /// Binary qualification bits per distributor (empty when no rule reads them).
    sponsored_legs: &'a [u8],
    /// Placement parent of each distributor (empty without a placement tree).
    placement_parent: &'a [u32],
    /// Only the bonuses' totals are read (the what-ifs for sources and breakage): a bonus
    /// may leave its lines unwritten.
    totals_only: bool,
}

/// Compression by rank: who counts as a level — active and paid as `rank` or higher —
/// into `counts`, which it returns.
fn counting_levels<'a>(
    counts: &'a mut Vec<bool>,
    qualified: &[bool],
    ranks: &[u8],
    rank: u8,
) -> &'a [bool] {
    counts.clear();
    counts.extend(
        qualified
            .iter()
            .zip(ranks)
            .map(|(&q, &k)| q && k != NO_RANK && k >= rank),
    );
    counts
}

impl BonusCtx<'_> {
    /// The ranks a bonus reads: titles when it pays by title, else paid-as ranks.
    fn rank_by(&self, by_title: bool) -> &[u8] {
        if by_title {
            self.title
        } else {
            self.rank
        }
    }
}

/// Pay every bonus of the plan into `out` (one slice per bonus); returns their totals, and
/// the part of them paid on the payees' own non-retail purchases (cents).
/// With `volume_only`, only the company-paid bonuses paid on volume are evaluated (the
/// others are left at zero): for what-if evaluations.
pub(super) fn pay_bonuses(
    plan: &CompiledPlan,
    c: &BonusCtx,
    volume_only: bool,
    s: &mut Scratch,
    out: &mut [Vec<i64>],
) -> (Vec<i64>, i64) {
    let n = c.sponsor.len();
    let pvm = plan.point_value;
    let mut totals = vec![0i64; plan.bonuses.len()];
    let mut own = 0i64;
    if s.binary.len() < plan.bonuses.len() {
        s.binary.resize_with(plan.bonuses.len(), Default::default);
        s.events.resize_with(plan.bonuses.len(), Default::default);
    }
    for (b, bonus) in plan.bonuses.iter().enumerate() {
        if volume_only && !bonus.is_volume_based() {
            continue;
        }
        let (earlier, rest) = out.split_at_mut(b);
        // No lines where none are written (see `writes_lines`): the bonus gives its total.
        let lines = writes_lines(plan, b, c.totals_only);
        let out = &mut rest[0][..if lines { n } else { 0 }];
        totals[b] = match bonus {
            Bonus::Retail { markup, .. } => {
                retail::pay(c.retail_pv, c.participants, *markup, pvm, out)
            }
            Bonus::Unilevel {
                compression,
                depth,
                rates,
                by_title,
                level_rank,
                levels_by_active_legs,
                skip_unqualified,
                ..
            } => {
                let rank = c.rank_by(*by_title);
                let counts: &[bool] = match level_rank {
                    None => c.qualified,
                    Some(r) => counting_levels(&mut s.counts, c.qualified, rank, *r),
                };
                let month = unilevel::Month {
                    sponsor: c.sponsor,
                    pv: c.pv,
                    qualified: c.qualified,
                    rank: c.rank_by(*by_title),
                    point_value: pvm,
                    total_pv: c.total_pv,
                    internal: c.internal,
                    child_pv: c.child_pv,
                    counts,
                };
                if plan.round_per_term || *levels_by_active_legs || *skip_unqualified {
                    if *levels_by_active_legs {
                        s.legs.clear();
                        s.legs.resize(n, 0);
                        for (i, &p) in c.sponsor.iter().enumerate() {
                            if p != NO_SPONSOR && c.qualified[i] {
                                s.legs[p as usize] += 1;
                            }
                        }
                    }
                    let walk = unilevel::Walk {
                        per_term: plan.round_per_term,
                        compression: *compression,
                        active_legs: if *levels_by_active_legs { &s.legs } else { &[] },
                        skip_unqualified: *skip_unqualified,
                    };
                    unilevel::pay_walking(&month, *depth, rates, &walk, &mut s.acc, out)
                } else if !lines {
                    unilevel::total(&month, *compression, *depth, rates, &mut s.unilevel)
                } else {
                    unilevel::pay(&month, *compression, *depth, rates, &mut s.unilevel, out)
                }
            }
            Bonus::FastStart {
                rates,
                months,
                require_active,
                ..
            } => {
                let month = fast_start::Month {
                    month: c.month,
                    sponsor: c.sponsor,
                    join_month: c.join_month,
                    pv: c.pv,
                    participating: c.participating,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                let rules = fast_start::Rules {
                    rates,
                    months: *months,
                    require_active: *require_active,
                    per_term: plan.round_per_term,
                };
                fast_start::pay(&month, &rules, &mut s.acc, &mut s.fast_start, out)
            }
            Bonus::RankAdvancement { amounts, .. } => {
                rank_advancement::pay(c.rank, c.max_rank, c.participants, amounts, out)
            }
            Bonus::Differential {
                levels,
                rank_level,
                same_rank_rate,
                discount,
                cumulative,
                level_rank,
                from_level,
                by_title,
                ..
            } => {
                match level_rank {
                    Some(r) => {
                        counting_levels(&mut s.counts, c.qualified, c.rank_by(*by_title), *r);
                    }
                    None => s.counts.clear(),
                }
                let month = differential::Month {
                    sponsor: c.sponsor,
                    qualified: c.qualified,
                    rank: c.rank_by(*by_title),
                    internal: c.internal,
                    child_pv: c.child_pv,
                    pv: c.pv,
                    point_value: pvm,
                };
                let rules = differential::Rules {
                    levels,
                    rank_level,
                    same_rank_rate: *same_rank_rate,
                    discount: *discount,
                    cumulative: *cumulative,
                    counts: &s.counts,
                    from_level: *from_level,
                };
                if plan.round_per_term || rules.needs_walk() {
                    differential::pay_walking(
                        &month,
                        &rules,
                        plan.round_per_term,
                        &mut s.differential,
                        out,
                    )
                } else {
                    differential::pay(&month, &rules, &mut s.differential, out)
                }
            }
            Bonus::Matching {
                compression,
                depth,
                rates,
                on,
                by_title,
                ..
            } => {
                let month = matching::Month {
                    sponsor: c.sponsor,
                    qualified: c.qualified,
                    rank: c.rank_by(*by_title),
                    internal: c.internal,
                };
                matching::pay(
                    &month,
                    earlier,
                    on,
                    *compression,
                    *depth,
                    rates,
                    &mut s.matching,
                    &mut s.unilevel,
                    out,
                )
            }
            Bonus::Pool {
                rate,
                shares,
                by_title,
                ..
            } => {
                let month = pool::Month {
                    participants: c.participants,
                    qualified: c.qualified,
                    rank: c.rank_by(*by_title),
                    total_pv: c.total_pv,
                    point_value: pvm,
                };
                // A what-if that reads only totals needs no one's share of the pool
                // (unless a matching bonus matches them).
                if !lines {
                    pool::total(&month, *rate, shares)
                } else {
                    pool::pay(&month, *rate, shares, out)
                }
            }
            Bonus::Stairstep {
                tier_gv,
                tier_rate,
                breakaway_rate,
                generation_rates,
                ..
            } => {
                let month = stairstep::Month {
                    sponsor: c.sponsor,
                    tier_pv: c.tier_pv,
                    pv: c.pv,
                    own_pv: c.own_pv,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                let rules = stairstep::Rules {
                    tier_gv,
                    tier_rate,
                    breakaway_rate: *breakaway_rate,
                    generation_rates,
                };
                let (t, o) = stairstep::pay(&month, &rules, &mut s.stairstep, out);
                own += o;
                t
            }
            Bonus::Binary {
                rate,
                ratio,
                max_carry,
                carry_months,
                flush_if_inactive,
                cap_per_month,
                require_sponsored_legs,
                rank_rates,
                cycle_pv,
                cycle_values,
                cap_exempt_cycles,
                paycut,
                ..
            } => {
                // Carry is state: a what-if pass must never reach here.
                debug_assert!(!volume_only);
                let month = binary::Month {
                    qualified: c.qualified,
                    leg_pv: c.leg_pv,
                    sponsored_legs: c.sponsored_legs,
                    point_value: pvm,
                    rank: c.rank,
                };
                let rules = binary::Rules {
                    rate: *rate,
                    ratio: *ratio,
                    max_carry: *max_carry,
                    carry_months: *carry_months,
                    flush_if_inactive: *flush_if_inactive,
                    cap_per_month: *cap_per_month,
                    require_sponsored_legs: *require_sponsored_legs,
                    rank_rates,
                    cycle_pv: *cycle_pv,
                    cycle_values,
                    cap_exempt_cycles: *cap_exempt_cycles,
                };
                let total = binary::pay(&month, &rules, &mut s.binary[b], out);
                match paycut {
                    // The paycut: the month's binary pay cut pro rata to a share of the
                    // month's volume value, shared out to the cent.
                    Some(share) => {
                        let limit = (c.total_pv as i128 * pvm as i128 * *share as i128
                            / (RATE_ONE as i128 * RATE_ONE as i128))
                            as i64;
                        if total > limit {
                            let mut lines: Vec<&mut i64> =
                                out.iter_mut().filter(|x| **x != 0).collect();
                            crate::money::scale_to_cap(&mut lines, limit);
                            limit
                        } else {
                            total
                        }
                    }
                    None => total,
                }
            }
            Bonus::Matrix { rates, .. } => {
                let month = matrix::Month {
                    parent: c.placement_parent,
                    pv: c.pv,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                matrix::pay(&month, rates, &mut s.matrix, out)
            }
            Bonus::PartyCommission {
                tier_pv,
                tier_rate,
                on,
                require_active,
                ..
            } => {
                let month = party::Month {
                    participating: c.participating,
                    qualified: c.qualified,
                    party_pv: c.party_pv,
                    retail_pv: c.retail_pv,
                    preferred_pv: c.preferred_pv,
                    pass: c.pass,
                    point_value: pvm,
                };
                party::pay_commission(&month, tier_pv, tier_rate, *on, *require_active, out)
            }
            Bonus::Sponsoring {
                amounts,
                trigger,
                require_active,
                ..
            } => {
                let month = sponsoring::Month {
                    month: c.month,
                    sponsor: c.sponsor,
                    join_month: c.join_month,
                    pv: c.tier_pv,
                    participating: c.participating,
                    qualified: c.qualified,
                    rank: c.rank,
                };
                sponsoring::pay_sponsoring(
                    &month,
                    *trigger,
                    amounts,
                    *require_active,
                    &mut s.events[b],
                    out,
                )
            }
            Bonus::Allowance {
                ranks,
                amounts,
                months_held,
                by_title,
                ..
            } => {
                let month = sponsoring::Month {
                    month: c.month,
                    sponsor: c.sponsor,
                    join_month: c.join_month,
                    pv: c.tier_pv,
                    participating: c.participating,
                    qualified: c.qualified,
                    rank: c.rank_by(*by_title),
                };
                sponsoring::pay_allowance(
                    &month,
                    ranks,
                    amounts,
                    *months_held,
                    &mut s.events[b],
                    out,
                )
            }
            Bonus::Generation {
                leader,
                depth,
                rates,
                compression,
                by_title,
                from_generation,
                ..
            } => {
                let month = generation::Month {
                    sponsor: c.sponsor,
                    pv: c.pv,
                    qualified: c.qualified,
                    rank: c.rank_by(*by_title),
                    point_value: pvm,
                };
                let rules = generation::Rules {
                    leader: *leader,
                    depth: *depth,
                    rates,
                    compression: *compression,
                    from_generation: *from_generation,
                };
                generation::pay(&month, &rules, &mut s.generation, out)
            }
            Bonus::Personal {
                tier_pv,
                tier_rate,
                require_active,
                ..
            } => {
                let month = personal::Month {
                    tier_pv: c.tier_pv,
                    pv: c.pv,
                    own_pv: if volume_only { &[] } else { c.own_pv },
                    participants: c.participants,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                let (t, o) = personal::pay(&month, tier_pv, tier_rate, *require_active, out);
                own += o;
                t
            }
            Bonus::HostRewards {
                tier_pv,
                tier_rate,
                tier_amount,
                ..
            } => party::pay_hosts(
                c.parties,
                c.participating,
                tier_pv,
                tier_rate,
                tier_amount,
                pvm,
                out,
            ),
        };
    }
    (totals, own)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cents_of_rounds_once() {
        // 123.45 points at 5% = 6.1725 → 6.17
        assert_eq!(cents_of(12345 * 50_000, RATE_ONE), 617);
        // 0.10 points at 5% = 0.005 → 0.01 (half away from zero)
        assert_eq!(cents_of(10 * 50_000, RATE_ONE), 1);
        // point value 1.25: 100 points at 10% = 12.50
        assert_eq!(cents_of(10_000 * 100_000, 1_250_000), 1250);
        assert_eq!(
            cents_of(i64::MAX as i128, RATE_ONE),
            round_div(i64::MAX as i128, 1_000_000)
        );
    }
}
