//! The plan engine: given who participates and what each bought this month, compute
//! volumes, paid-as ranks, every bonus and the cap. Deterministic; it draws nothing.
//!
//! The same engine serves the Monte Carlo simulation and [`crate::ledger`]
//! (`compute_commissions` on a given downline), so both pay to the same cent.

pub mod bonus;
pub mod placement;
pub mod ranks;
pub mod volumes;

use crate::downline::NO_SPONSOR;
use crate::money::{scale_to_cap, volume_value, RATE_ONE};
use crate::plan::{Bonus, CompiledPlan, Placement, NO_RANK, ON_PARTY, ON_PREFERRED, ON_RETAIL};

/// What the engine needs to know about one month.
pub struct MonthInput<'a> {
    /// The month (1 = first).
    pub month: u16,
    /// Sponsor of each distributor ([`crate::downline::NO_SPONSOR`] for founders).
    pub sponsor: &'a [u32],
    /// Join month of each distributor (non-decreasing with the index).
    pub join_month: &'a [u16],
    /// Whether each distributor participates (has joined and not quit).
    pub participating: &'a [bool],
    /// PV from the distributor's own orders, hundredths of a point.
    pub own_pv: &'a [i64],
    /// PV from the distributor's retail customers, hundredths of a point.
    pub retail_pv: &'a [i64],
    /// PV from the distributor's preferred customers (who buy from the company at the
    /// member price: no retail margin), hundredths of a point; empty for none.
    pub preferred_pv: &'a [i64],
    /// The month's parties (empty for none): each one's sales count as the volume of the
    /// distributor who held it, apart from the other sources.
    pub parties: &'a [Party],
}

/// One party of a party plan: whose it was and what its guests bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    /// The distributor who held the party (the host's distributor).
    pub distributor: u32,
    /// The party's sales, hundredths of a point.
    pub pv: i64,
}

/// Where a month's company payout came from, in cents; the parts add up to the payout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// Paid on retail customers' (non-participants') volume.
    pub retail: i64,
    /// Paid on preferred customers' volume.
    pub preferred: i64,
    /// Paid on party sales.
    pub party: i64,
    /// Paid on the payee's own purchases (no current bonus kind does).
    pub own: i64,
    /// Paid on downline participants' own purchases.
    pub downline: i64,
    /// Not paid on volume (rank advancement), or not traceable to one month's volume
    /// (binary, whose carry-over is not linear across months).
    pub other: i64,
}

impl Sources {
    /// The parts together: the month's payout.
    pub fn total(&self) -> i64 {
        self.retail + self.preferred + self.party + self.own + self.downline + self.other
    }
}

/// Totals of one month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthTotals {
    /// Where the payout came from.
    pub sources: Sources,
    /// What the company-paid bonuses would have paid had every participant been active,
    /// before the cap (at the ranks actually earned), cents.
    pub potential: i64,
    /// Total PV (own + retail + preferred + party), hundredths of a point.
    pub volume: i64,
    /// Total PV from retail customers, hundredths of a point.
    pub retail_volume: i64,
    /// Total PV from preferred customers, hundredths of a point.
    pub preferred_volume: i64,
    /// Total PV from party sales, hundredths of a point.
    pub party_volume: i64,
    /// Host rewards the company pays to party hosts (not in `payout`), cents.
    pub host_rewards: i64,
    /// Value of the total PV in cents.
    pub volume_value: i64,
    /// Per bonus, in plan order: cents (bonuses in the payout after the cap; retail margin
    /// and host rewards as earned).
    pub by_bonus: Vec<i64>,
    /// What the company pays distributors (sum of the bonuses in the payout after the
    /// cap), cents.
    pub payout: i64,
    /// What the company would have paid without the cap, cents.
    pub payout_before_cap: i64,
    /// Distributors active (qualified) this month.
    pub qualified: u32,
    /// Distributors paid as each rank.
    pub rank_counts: Vec<u32>,
}

/// Per-distributor state and scratch of the plan engine for one downline.
#[derive(Debug)]
pub struct PlanEngine<'p> {
    plan: &'p CompiledPlan,
    /// PV this month.
    pub pv: Vec<i64>,
    /// GV this month.
    pub gv: Vec<i64>,
    /// Active (qualified) this month: participating and PV ≥ `active.min_pv`.
    pub qualified: Vec<bool>,
    /// Paid-as rank this month ([`NO_RANK`] for none).
    pub rank: Vec<u8>,
    /// Highest paid-as rank ever reached ([`NO_RANK`] for none), after this month.
    pub max_rank: Vec<u8>,
    /// This month's amount per bonus (plan order) per distributor, cents, after the cap.
    pub amounts: Vec<Vec<i64>>,
    /// Sum of the PV of each distributor's personally sponsored recruits (level 1).
    pub child_pv: Vec<i64>,
    /// Retail customers' PV of each participant, and of each one's recruits.
    rpv: Vec<i64>,
    child_rpv: Vec<i64>,
    /// Party sales of each distributor this month (empty in a month without parties).
    party_pv: Vec<i64>,
    /// Binary qualification: bit `leg` when an active personal recruit is in that leg.
    sponsored_legs: Vec<u8>,
    /// Preferred customers' plus parties' volume, when a month has both.
    extra_pv: Vec<i64>,
    /// Amounts of the what-if evaluations (retail volume alone; everyone active).
    shadow: Vec<Vec<i64>>,
    /// The tree as far as it has been seen: who has recruits, and the sorted list of them.
    /// The downline only grows by appending, and a sponsor never changes.
    tree: TreeIndex,
    /// The placement tree (empty without one).
    placement: placement::PlacementTree,
    rank_scratch: ranks::RankScratch,
    bonus_scratch: bonus::Scratch,
}

/// Who has recruits, kept up to date as the downline grows.
#[derive(Debug, Default)]
struct TreeIndex {
    seen: usize,
    has_child: Vec<bool>,
    /// Distributors with at least one recruit, in join order.
    internal: Vec<u32>,
    fresh: Vec<u32>,
    merged: Vec<u32>,
}

impl TreeIndex {
    fn update(&mut self, sponsor: &[u32]) {
        let n = sponsor.len();
        assert!(n >= self.seen, "the downline may only grow");
        self.has_child.resize(n, false);
        self.fresh.clear();
        for &p in &sponsor[self.seen..] {
            if p != NO_SPONSOR && !self.has_child[p as usize] {
                self.has_child[p as usize] = true;
                self.fresh.push(p);
            }
        }
        self.seen = n;
        if self.fresh.is_empty() {
            return;
        }
        self.fresh.sort_unstable();
        self.merged.clear();
        let (a, b) = (&self.internal, &self.fresh);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] < b[j] {
                self.merged.push(a[i]);
                i += 1;
            } else {
                self.merged.push(b[j]);
                j += 1;
            }
        }
        self.merged.extend_from_slice(&a[i..]);
        self.merged.extend_from_slice(&b[j..]);
        std::mem::swap(&mut self.internal, &mut self.merged);
    }
}

impl<'p> PlanEngine<'p> {
    /// A new engine for `plan`.
    pub fn new(plan: &'p CompiledPlan) -> Self {
        PlanEngine {
            plan,
            pv: vec![],
            gv: vec![],
            qualified: vec![],
            rank: vec![],
            max_rank: vec![],
            amounts: vec![vec![]; plan.bonuses.len()],
            child_pv: vec![],
            rpv: vec![],
            child_rpv: vec![],
            party_pv: vec![],
            sponsored_legs: vec![],
            extra_pv: vec![],
            shadow: vec![vec![]; plan.bonuses.len()],
            tree: TreeIndex::default(),
            placement: Default::default(),
            rank_scratch: Default::default(),
            bonus_scratch: Default::default(),
        }
    }

    /// The plan.
    pub fn plan(&self) -> &'p CompiledPlan {
        self.plan
    }

    /// The placement tree: placement parent ([`placement::NONE`] for a top) and slot
    /// (binary: 0 left, 1 right) of each distributor placed so far.
    pub fn placement(&self) -> (&[u32], &[u8]) {
        (&self.placement.parent, &self.placement.leg)
    }

    /// Place the downline by the given placement parents and slots (by join order; a
    /// parent before its child, each slot once) instead of by the plan's rule.
    pub fn set_placement(&mut self, parent: Vec<u32>, leg: Vec<u8>) {
        self.placement.set_explicit(parent, leg);
    }

    /// Volume (hundredths of a point) carried into next month by distributor `i` on its
    /// left and right legs, for the plan's bonus number `bonus` (a binary bonus).
    pub fn binary_carry(&self, bonus: usize, i: usize) -> [i64; 2] {
        let ages = match &self.plan.bonuses[bonus] {
            Bonus::Binary { carry_months, .. } => carry_months.map_or(1, |m| m as usize),
            _ => panic!("bonus {bonus} is not a binary bonus"),
        };
        self.bonus_scratch
            .binary
            .get(bonus)
            .map_or([0, 0], |s| s.carry(i, ages))
    }

    /// Make room for a downline of `cap` people without reallocating.
    pub fn reserve(&mut self, cap: usize) {
        let extra = cap.saturating_sub(self.pv.len());
        self.pv.reserve(extra);
        self.gv.reserve(extra);
        self.qualified.reserve(extra);
        self.rank.reserve(extra);
        self.max_rank.reserve(extra);
        self.child_pv.reserve(extra);
        for a in &mut self.amounts {
            a.reserve(extra);
        }
    }

    fn grow(&mut self, n: usize) {
        if self.pv.len() < n {
            self.pv.resize(n, 0);
            self.gv.resize(n, 0);
            self.qualified.resize(n, false);
            self.rank.resize(n, NO_RANK);
            self.max_rank.resize(n, NO_RANK);
            self.child_pv.resize(n, 0);
            for a in self.amounts.iter_mut().chain(self.shadow.iter_mut()) {
                a.resize(n, 0);
            }
        }
    }

    /// Run the plan for one month. Afterwards `amounts`, `rank`, `max_rank`, `pv`, `gv` and
    /// `qualified` describe the month; the return value sums it up.
    pub fn run_month(&mut self, m: &MonthInput) -> MonthTotals {
        let plan = self.plan;
        let n = m.sponsor.len();
        self.grow(n);
        self.tree.update(m.sponsor);
        self.placement.update(m.sponsor, plan.placement);
        let pvm = plan.point_value;

        // Volumes and activity (and, for a plan whose ranks ask nothing, the ranks).
        let trivial_ranks = !plan.has_rank_requirements();
        let top = (plan.ranks.len() - 1) as u8;
        // Rank advancement reads the highest rank reached before this month, so then the
        // highest rank is updated after the bonuses.
        let fuse_max_rank = trivial_ranks
            && !plan
                .bonuses
                .iter()
                .any(|b| matches!(b, Bonus::RankAdvancement { .. }));
        let min_pv = plan.min_pv;
        // Party sales by distributor, of those who participate.
        self.party_pv.clear();
        let mut party_volume = 0i64;
        if !m.parties.is_empty() {
            self.party_pv.resize(n, 0);
            for party in m.parties {
                let d = party.distributor as usize;
                assert!(d < n, "a party's distributor must be in the downline");
                assert!(party.pv >= 0, "a party's sales may not be negative");
                if m.participating[d] {
                    self.party_pv[d] += party.pv;
                    party_volume += party.pv;
                }
            }
        }
        // Preferred customers' and parties' volume of those participating, summed in the
        // forward pass.
        let mut extra_volume = 0i64;
        let mut volume = 0i64;
        let mut retail_volume = 0i64;
        let mut qualified_count = 0u32;
        let mut participating_count = 0u32;
        {
            // One forward pass. A distributor's GV and recruits' PV are reset when the pass
            // reaches it, before any of its recruits (who come later) add to them; a
            // recruit without recruits of its own adds its PV to its sponsor's GV here,
            // so that the reverse GV pass need only visit those with recruits.
            let (part, own, ret) = (&m.participating[..n], &m.own_pv[..n], &m.retail_pv[..n]);
            let (pv, gv, qual) = (
                &mut self.pv[..n],
                &mut self.gv[..n],
                &mut self.qualified[..n],
            );
            let (rank, max_rank) = (&mut self.rank[..n], &mut self.max_rank[..n]);
            let (child_pv, has_child) = (&mut self.child_pv[..n], &self.tree.has_child[..n]);
            let sponsor = &m.sponsor[..n];
            // The same pass with and without preferred customers' and parties' volume, so
            // that scenarios without them read no extra array.
            macro_rules! forward_pass {
                ($extra:expr) => {{
                    let pref = $extra;
                    for i in 0..n {
                        let on = part[i];
                        let r = if on { ret[i] } else { 0 };
                        let f = if on { pref(i) } else { 0 };
                        let p = if on { own[i] + r + f } else { 0 };
                        pv[i] = p;
                        gv[i] = p;
                        child_pv[i] = 0;
                        let s = sponsor[i];
                        // Those with no volume (everyone who has quit) add nothing: no scatter.
                        if s != NO_SPONSOR && p != 0 {
                            assert!((s as usize) < i, "a sponsor must come before its recruit");
                            child_pv[s as usize] += p;
                            if !has_child[i] {
                                gv[s as usize] += p;
                            }
                        }
                        volume += p;
                        retail_volume += r;
                        extra_volume += f;
                        let q = on && p >= min_pv;
                        qual[i] = q;
                        qualified_count += q as u32;
                        participating_count += on as u32;
                        if trivial_ranks {
                            // Everyone participating meets every rank: paid as the highest.
                            rank[i] = if on { top } else { NO_RANK };
                            if on && fuse_max_rank {
                                max_rank[i] = top;
                            }
                        }
                    }
                }};
            }
            // Customers' and parties' volume besides retail, in one array when there is any
            // (two instantiations keep the common pass as small as before).
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
            if extra.is_empty() {
                forward_pass!(|_: usize| 0i64)
            } else {
                forward_pass!(|i: usize| extra[i])
            }
        }
        // Parties' volume was summed apart (from the parties): the rest is preferred.
        let preferred_volume = if m.preferred_pv.is_empty() {
            0
        } else {
            extra_volume - party_volume
        };
        volumes::roll_up_internal(m.sponsor, &self.tree.internal, &mut self.gv[..n]);
        if !trivial_ranks {
            let input = ranks::RankInput {
                sponsor: m.sponsor,
                participating: &m.participating[..n],
                qualified: &self.qualified[..n],
                pv: &self.pv[..n],
                gv: &self.gv[..n],
            };
            ranks::evaluate_ranks(plan, &input, &mut self.rank[..n], &mut self.rank_scratch);
        }

        let binary = matches!(plan.placement, Placement::Binary(_));
        if binary {
            self.placement.roll_up(&self.pv[..n]);
        }
        // Binary qualification: the legs holding an active personally sponsored recruit.
        self.sponsored_legs.clear();
        if plan.bonuses.iter().any(|b| {
            matches!(
                b,
                Bonus::Binary {
                    require_sponsored_legs: true,
                    ..
                }
            )
        }) {
            self.sponsored_legs.resize(n, 0);
            let sl = &self.placement.sponsor_leg;
            for i in 0..n {
                let s = m.sponsor[i];
                if self.qualified[i] && s != NO_SPONSOR && sl[i] != placement::NO_LEG {
                    self.sponsored_legs[s as usize] |= 1 << sl[i];
                }
            }
        }

        // Bonuses.
        let mut amounts = std::mem::take(&mut self.amounts);
        let ctx = BonusCtx {
            month: m.month,
            sponsor: m.sponsor,
            join_month: m.join_month,
            participating: &m.participating[..n],
            retail_pv: &m.retail_pv[..n],
            preferred_pv: if m.preferred_pv.is_empty() {
                &[]
            } else {
                &m.preferred_pv[..n]
            },
            party_pv: &self.party_pv,
            own_pv: &m.own_pv[..n],
            parties: m.parties,
            pass: ON_PARTY | ON_RETAIL | ON_PREFERRED,
            pv: &self.pv[..n],
            tier_pv: &self.pv[..n],
            child_pv: &self.child_pv[..n],
            qualified: &self.qualified[..n],
            rank: &self.rank[..n],
            max_rank: &self.max_rank[..n],
            internal: &self.tree.internal,
            total_pv: volume,
            leg_pv: &self.placement.leg_pv,
            sponsored_legs: &self.sponsored_legs,
            placement_parent: &self.placement.parent,
        };
        let (mut by_bonus, own_before_cap) =
            pay_bonuses(plan, &ctx, false, &mut self.bonus_scratch, &mut amounts);
        self.amounts = amounts;

        // What the bonuses in the payout pay on each customer source's volume alone (the
        // same people active, at the same ranks): bonuses are linear in volume, so the
        // rest of their volume-based pay came from participants' own purchases.
        let mut from_source_before_cap = [0i64; 3];
        let source_volume = [retail_volume, preferred_volume, party_volume];
        for (k, bit) in [ON_RETAIL, ON_PREFERRED, ON_PARTY].into_iter().enumerate() {
            if source_volume[k] == 0 {
                continue;
            }
            let src: &[i64] = match bit {
                ON_RETAIL => &m.retail_pv[..n],
                ON_PREFERRED => &m.preferred_pv[..n],
                _ => &self.party_pv[..n],
            };
            self.rpv.resize(n, 0);
            self.child_rpv.resize(n, 0);
            self.child_rpv.fill(0);
            for i in 0..n {
                let r = if m.participating[i] { src[i] } else { 0 };
                self.rpv[i] = r;
                let s = m.sponsor[i];
                if s != NO_SPONSOR && r != 0 {
                    self.child_rpv[s as usize] += r;
                }
            }
            let mut shadow = std::mem::take(&mut self.shadow);
            let ctx = BonusCtx {
                pv: &self.rpv[..n],
                child_pv: &self.child_rpv[..n],
                total_pv: source_volume[k],
                pass: bit,
                ..ctx
            };
            let (t, _) = pay_bonuses(plan, &ctx, true, &mut self.bonus_scratch, &mut shadow);
            self.shadow = shadow;
            from_source_before_cap[k] = t.iter().sum();
        }
        // What they would pay had every participant been active (breakage is the gap).
        let volume_bonuses_before_cap: i64 = plan
            .bonuses
            .iter()
            .zip(&by_bonus)
            .filter(|(b, _)| b.is_volume_based())
            .map(|(_, &t)| t)
            .sum();
        let potential_volume_bonuses = if qualified_count < participating_count {
            let mut shadow = std::mem::take(&mut self.shadow);
            let ctx = BonusCtx {
                qualified: &m.participating[..n],
                ..ctx
            };
            let (t, _) = pay_bonuses(plan, &ctx, true, &mut self.bonus_scratch, &mut shadow);
            self.shadow = shadow;
            t.iter().sum::<i64>()
        } else {
            volume_bonuses_before_cap
        };

        // Totals and the cap.
        let volume_value_cents = volume_value(volume, pvm);
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
            let cap = (volume as i128 * pvm as i128 * cap_rate as i128
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
        let other_before_cap = payout_before_cap - volume_bonuses_before_cap;
        let scale = |x: i64| -> i64 {
            if payout_before_cap == 0 {
                0
            } else {
                (x as i128 * payout as i128 / payout_before_cap as i128) as i64
            }
        };
        let [from_retail, from_preferred, from_party] = from_source_before_cap.map(scale);
        let from_other = scale(other_before_cap);
        let from_own = scale(own_before_cap);
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
        let potential = potential_volume_bonuses + other_before_cap;

        if binary {
            self.placement.close_month(n);
        }

        // Rank counts and the highest rank reached.
        let mut rank_counts = vec![0u32; plan.ranks.len()];
        if trivial_ranks {
            rank_counts[top as usize] = participating_count;
            if !fuse_max_rank {
                for (mr, &on) in self.max_rank[..n].iter_mut().zip(&m.participating[..n]) {
                    if on {
                        *mr = top;
                    }
                }
            }
        } else {
            for i in 0..n {
                let r = self.rank[i];
                if r != NO_RANK {
                    rank_counts[r as usize] += 1;
                    let mr = &mut self.max_rank[i];
                    if *mr == NO_RANK || r > *mr {
                        *mr = r;
                    }
                }
            }
        }

        MonthTotals {
            sources,
            potential,
            volume,
            retail_volume,
            preferred_volume,
            party_volume,
            host_rewards,
            volume_value: volume_value_cents,
            by_bonus,
            payout,
            payout_before_cap,
            qualified: qualified_count,
            rank_counts,
        }
    }
}

/// What the bonuses of a month read.
#[derive(Clone, Copy)]
struct BonusCtx<'a> {
    month: u16,
    sponsor: &'a [u32],
    join_month: &'a [u16],
    participating: &'a [bool],
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
}

/// Pay every bonus of the plan into `out` (one slice per bonus); returns their totals, and
/// the part of them paid on the payees' own non-retail purchases (cents).
/// With `volume_only`, only the company-paid bonuses paid on volume are evaluated (the
/// others are left at zero): for what-if evaluations.
fn pay_bonuses(
    plan: &CompiledPlan,
    c: &BonusCtx,
    volume_only: bool,
    s: &mut bonus::Scratch,
    out: &mut [Vec<i64>],
) -> (Vec<i64>, i64) {
    let n = c.sponsor.len();
    let pvm = plan.point_value;
    let mut totals = vec![0i64; plan.bonuses.len()];
    let mut own = 0i64;
    if s.binary.len() < plan.bonuses.len() {
        s.binary.resize_with(plan.bonuses.len(), Default::default);
    }
    for (b, bonus) in plan.bonuses.iter().enumerate() {
        if volume_only && !bonus.is_volume_based() {
            continue;
        }
        let (earlier, rest) = out.split_at_mut(b);
        let out = &mut rest[0][..n];
        totals[b] = match bonus {
            Bonus::Retail { markup, .. } => {
                bonus::retail::pay(c.retail_pv, c.participating, *markup, pvm, out)
            }
            Bonus::Unilevel {
                compression,
                depth,
                rates,
                ..
            } => {
                let month = bonus::unilevel::Month {
                    sponsor: c.sponsor,
                    pv: c.pv,
                    qualified: c.qualified,
                    rank: c.rank,
                    point_value: pvm,
                    total_pv: c.total_pv,
                    internal: c.internal,
                    child_pv: c.child_pv,
                };
                bonus::unilevel::pay(&month, *compression, *depth, rates, &mut s.unilevel, out)
            }
            Bonus::FastStart {
                rate,
                months,
                require_active,
                ..
            } => {
                let month = bonus::fast_start::Month {
                    month: c.month,
                    sponsor: c.sponsor,
                    join_month: c.join_month,
                    pv: c.pv,
                    participating: c.participating,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                bonus::fast_start::pay(&month, *rate, *months, *require_active, &mut s.acc, out)
            }
            Bonus::RankAdvancement { amounts, .. } => {
                bonus::rank_advancement::pay(c.rank, c.max_rank, amounts, out)
            }
            Bonus::Differential {
                levels,
                rank_level,
                same_rank_rate,
                ..
            } => {
                let month = bonus::differential::Month {
                    sponsor: c.sponsor,
                    qualified: c.qualified,
                    rank: c.rank,
                    internal: c.internal,
                    child_pv: c.child_pv,
                    point_value: pvm,
                };
                bonus::differential::pay(
                    &month,
                    levels,
                    rank_level,
                    *same_rank_rate,
                    &mut s.differential,
                    out,
                )
            }
            Bonus::Matching {
                compression,
                depth,
                rates,
                on,
                ..
            } => {
                let month = bonus::matching::Month {
                    sponsor: c.sponsor,
                    qualified: c.qualified,
                    rank: c.rank,
                    internal: c.internal,
                };
                bonus::matching::pay(
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
            Bonus::Pool { rate, shares, .. } => {
                let month = bonus::pool::Month {
                    qualified: c.qualified,
                    rank: c.rank,
                    total_pv: c.total_pv,
                    point_value: pvm,
                };
                bonus::pool::pay(&month, *rate, shares, out)
            }
            Bonus::Stairstep {
                tier_gv,
                tier_rate,
                breakaway_rate,
                generation_rates,
                ..
            } => {
                let month = bonus::stairstep::Month {
                    sponsor: c.sponsor,
                    tier_pv: c.tier_pv,
                    pv: c.pv,
                    own_pv: c.own_pv,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                let rules = bonus::stairstep::Rules {
                    tier_gv,
                    tier_rate,
                    breakaway_rate: *breakaway_rate,
                    generation_rates,
                };
                let (t, o) = bonus::stairstep::pay(&month, &rules, &mut s.stairstep, out);
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
                ..
            } => {
                // Carry is state: a what-if pass must never reach here.
                debug_assert!(!volume_only);
                let month = bonus::binary::Month {
                    qualified: c.qualified,
                    leg_pv: c.leg_pv,
                    sponsored_legs: c.sponsored_legs,
                    point_value: pvm,
                };
                let rules = bonus::binary::Rules {
                    rate: *rate,
                    ratio: *ratio,
                    max_carry: *max_carry,
                    carry_months: *carry_months,
                    flush_if_inactive: *flush_if_inactive,
                    cap_per_month: *cap_per_month,
                    require_sponsored_legs: *require_sponsored_legs,
                };
                bonus::binary::pay(&month, &rules, &mut s.binary[b], out)
            }
            Bonus::Matrix { rates, .. } => {
                let month = bonus::matrix::Month {
                    parent: c.placement_parent,
                    pv: c.pv,
                    qualified: c.qualified,
                    point_value: pvm,
                };
                bonus::matrix::pay(&month, rates, &mut s.matrix, out)
            }
            Bonus::PartyCommission {
                tier_pv,
                tier_rate,
                on,
                require_active,
                ..
            } => {
                let month = bonus::party::Month {
                    participating: c.participating,
                    qualified: c.qualified,
                    party_pv: c.party_pv,
                    retail_pv: c.retail_pv,
                    preferred_pv: c.preferred_pv,
                    pass: c.pass,
                    point_value: pvm,
                };
                bonus::party::pay_commission(&month, tier_pv, tier_rate, *on, *require_active, out)
            }
            Bonus::HostRewards {
                tier_pv,
                tier_rate,
                tier_amount,
                ..
            } => bonus::party::pay_hosts(
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
