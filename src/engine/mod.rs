//! The plan engine: given who participates and what each bought this month, compute
//! volumes, paid-as ranks, every bonus and the cap. Deterministic; it draws nothing.
//!
//! The same engine serves the Monte Carlo simulation and [`crate::ledger`]
//! (`compute_commissions` on a given downline), so both pay to the same cent.

pub mod bonus;
mod compression;
pub mod measures;
pub mod placement;
pub mod ranks;
mod status;
mod totals;

use crate::downline::NO_SPONSOR;
use crate::plan::{Bonus, CompiledPlan, NO_RANK};

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
    /// PV from the distributor's retail customers, hundredths of a point; empty for none.
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
    /// Commissions charged back on stock returned this month (see
    /// [`PlanEngine::set_returns`]), cents; also per person in `chargebacks`.
    pub chargebacks: i64,
}

/// Per-distributor state and scratch of the plan engine for one downline.
#[derive(Debug)]
pub struct PlanEngine<'p> {
    plan: &'p CompiledPlan,
    /// PV this month.
    pub pv: Vec<i64>,
    /// GV this month, when the plan reads it (ranks with requirements, GV windows, ranks
    /// given) or [`PlanEngine::keep_group_volume`] asks for it; else empty.
    pub gv: Vec<i64>,
    /// Active (qualified) this month: participating and PV ≥ `active.min_pv`.
    pub qualified: Vec<bool>,
    /// Paid-as rank this month ([`NO_RANK`] for none).
    pub rank: Vec<u8>,
    /// Highest paid-as rank ever reached ([`NO_RANK`] for none), after this month.
    pub max_rank: Vec<u8>,
    /// This month's amount per bonus (plan order) per distributor, cents, after the cap.
    pub amounts: Vec<Vec<i64>>,
    /// Sum of the PV of each distributor's personally sponsored recruits (level 1), when
    /// the plan reads it (a unilevel or differential bonus, or a team volume requirement);
    /// else empty.
    pub child_pv: Vec<i64>,
    /// Compute GV even when the plan does not read it.
    gv_always: bool,
    /// Those participating this month, in join order (the passes that concern them alone
    /// visit them instead of everyone).
    participants: Vec<u32>,
    /// Whether last month's arrays describe this tree (not a compressed month's) and
    /// whether last month computed GV (see [`PlanEngine::clear_the_rest`]).
    tree_before: bool,
    gv_before: bool,
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
    /// Rolling windows of PV and GV and accumulated PV (only what the plan names).
    windows: measures::Windows,
    /// Qualification windows: the last month each one is active through without a
    /// qualifying order (empty without a window).
    active_until: Vec<i32>,
    /// Title this month: the highest rank reached, this month included (empty when
    /// nothing reads it).
    pub title: Vec<u8>,
    /// Grace: the rank held, and the months in a row fallen short of it.
    held_rank: Vec<u8>,
    short_months: Vec<u16>,
    /// Ranks given for the coming month ([`NO_RANK`]: evaluate); empty for none.
    given_rank: Vec<u8>,
    /// The compressed tree of the month (`[pv_compression]` only).
    compressed: compression::Compressed,
    /// The month's volume as bought, by source, when the stages see a compressed month.
    bought: Option<[i64; 4]>,
    /// Volume returned this month under the plan's buy-back (hundredths of a point, per
    /// distributor; empty for none), read by the month's charge-back evaluation.
    returns: Vec<i64>,
    /// What each distributor was charged back this month, cents (empty for none).
    pub chargebacks: Vec<i64>,
    /// Why the month's money cannot be exact (set by the bonus stage; see
    /// [`PlanEngine::try_run_month`]).
    money_error: Option<String>,
}

/// Who has recruits, kept up to date as the downline grows.
#[derive(Debug, Default)]
struct TreeIndex {
    seen: usize,
    has_child: Vec<bool>,
    /// Distributors with at least one recruit, in join order.
    internal: Vec<u32>,
    fresh: Vec<u32>,
}

impl TreeIndex {
    /// Index a tree from scratch (a compressed tree, whose sponsors change monthly).
    fn rebuild(&mut self, sponsor: &[u32]) {
        let n = sponsor.len();
        self.has_child.clear();
        self.has_child.resize(n, false);
        for &p in sponsor {
            if p != NO_SPONSOR {
                self.has_child[p as usize] = true;
            }
        }
        self.internal.clear();
        self.internal
            .extend((0..n as u32).filter(|&i| self.has_child[i as usize]));
        self.seen = n;
    }

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
        // Merge in place from the back: each step fills the highest free slot with the
        // larger of the two lists' last entries, so nothing is overwritten before it is
        // read (no second list of everyone with recruits).
        let (a, b) = (self.internal.len(), self.fresh.len());
        self.internal.resize(a + b, 0);
        let (v, f) = (&mut self.internal, &self.fresh);
        let (mut i, mut j) = (a, b);
        while j > 0 {
            if i > 0 && v[i - 1] > f[j - 1] {
                v[i + j - 1] = v[i - 1];
                i -= 1;
            } else {
                v[i + j - 1] = f[j - 1];
                j -= 1;
            }
        }
    }
}

impl<'p> PlanEngine<'p> {
    /// A new engine for `plan`.
    pub fn new(plan: &'p CompiledPlan) -> Self {
        PlanEngine {
            plan,
            pv: vec![],
            gv: vec![],
            gv_always: false,
            qualified: vec![],
            rank: vec![],
            max_rank: vec![],
            amounts: vec![vec![]; plan.bonuses.len()],
            child_pv: vec![],
            participants: vec![],
            tree_before: false,
            gv_before: false,
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
            windows: measures::Windows::new(plan),
            active_until: vec![],
            title: vec![],
            held_rank: vec![],
            short_months: vec![],
            given_rank: vec![],
            compressed: Default::default(),
            bought: None,
            money_error: None,
            returns: vec![],
            chargebacks: vec![],
        }
    }

    /// Volume returned in the coming month under the plan's `[buyback]`, per distributor
    /// (hundredths of a point): with `charge_back`, what it pays under the month's ranks
    /// and qualification (each volume-based bonus in the payout, before the cap) is
    /// charged back to those it pays, into `chargebacks`. Read by the next `run_month`
    /// only.
    pub fn set_returns(&mut self, returned_pv: &[i64]) {
        self.returns.clear();
        self.returns.extend_from_slice(returned_pv);
    }

    /// Give the titles (highest rank reached, [`NO_RANK`] for none) that distributors hold
    /// before the first month, by join order: a real month starts from a company's records.
    pub fn set_titles(&mut self, titles: &[u8]) {
        self.grow(titles.len());
        self.max_rank[..titles.len()].copy_from_slice(titles);
    }

    /// Give paid-as ranks for the next month only (held or forced ranks from a company's
    /// records; [`NO_RANK`]: evaluate by the plan), by join order. They replace the
    /// evaluation for those distributors and count for their uplines' leg requirements.
    pub fn give_ranks(&mut self, ranks: &[u8]) {
        self.given_rank.clear();
        self.given_rank.extend_from_slice(ranks);
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
        if self.needs_gv() {
            self.gv.reserve(extra);
        }
        self.qualified.reserve(extra);
        self.rank.reserve(extra);
        self.max_rank.reserve(extra);
        if self.needs_child_pv() {
            self.child_pv.reserve(extra);
        }
        for a in &mut self.amounts {
            a.reserve(extra);
        }
    }

    fn grow(&mut self, n: usize) {
        if self.pv.len() < n {
            self.pv.resize(n, 0);
            self.qualified.resize(n, false);
            self.rank.resize(n, NO_RANK);
            self.max_rank.resize(n, NO_RANK);
            for a in self.amounts.iter_mut() {
                a.resize(n, 0);
            }
        }
        if self.needs_gv() && self.gv.len() < n {
            self.gv.resize(n, 0);
        }
        if self.needs_child_pv() && self.child_pv.len() < n {
            self.child_pv.resize(n, 0);
        }
    }

    /// [`PlanEngine::try_run_month`] on input known to be in bounds (tests, benchmarks).
    ///
    /// # Panics
    /// If the month's money would not fit (see `try_run_month`).
    pub fn run_month(&mut self, m: &MonthInput) -> MonthTotals {
        self.try_run_month(m).expect("the month's money fits")
    }

    /// Run the plan for one month: its stages in order — measures, status, bonuses,
    /// then the cap, the sources of the payout and the totals. Afterwards `amounts`,
    /// `rank`, `max_rank`, `pv`, `gv` (when computed: see its field) and `qualified`
    /// describe the month; the return value sums it up.
    ///
    /// The month's volume must be at most [`crate::money::MAX_MONTH_VOLUME`], worth at most
    /// [`crate::money::MAX_MONTH_VALUE_CENTS`], and a run's at most
    /// [`crate::money::MAX_RUN_VOLUME`] (the simulation and the ledger check where
    /// volume enters). Then every sum the engine makes fits 64 bits, except what the plan
    /// pays: the bonuses' total is checked exactly each month, and a month that would pay
    /// more than [`crate::money::MAX_MONTH_PAY_CENTS`] is an error — never a wrapped amount.
    pub fn try_run_month(&mut self, m: &MonthInput) -> crate::error::Result<MonthTotals> {
        let totals = self.run_month_unchecked(m);
        self.returns.clear();
        match self.money_error.take() {
            None => Ok(totals),
            Some(e) => Err(crate::error::Error::Input(format!(
                "month {}: {e}",
                m.month
            ))),
        }
    }

    fn run_month_unchecked(&mut self, m: &MonthInput) -> MonthTotals {
        let n = m.sponsor.len();
        self.grow(n);
        self.tree.update(m.sponsor);
        self.placement.update(m.sponsor, self.plan.placement);
        match self.plan.pv_compression {
            None => self.stages(m),
            Some(min_pv) => {
                // The stages see the compressed tree: swap it in for the month.
                let mut c = std::mem::take(&mut self.compressed);
                c.compress(m, min_pv, &self.given_rank);
                self.bought = Some(c.bought);
                std::mem::swap(&mut self.tree, &mut c.tree);
                let totals = self.stages(&c.month(m));
                std::mem::swap(&mut self.tree, &mut c.tree);
                self.bought = None;
                self.compressed = c;
                totals
            }
        }
    }

    /// Compute each month's GV (`gv`) even for a plan that does not read it (which
    /// saves the roll-up and the array otherwise).
    pub fn keep_group_volume(&mut self) {
        self.gv_always = true;
    }

    /// Whether this month's GV is computed: the rank pass reads it (ranks with
    /// requirements, or ranks given for the month), or a GV window, or it was asked for.
    fn needs_gv(&self) -> bool {
        self.gv_always
            || self.plan.has_rank_requirements()
            || !self.given_rank.is_empty()
            || !self.plan.gv_windows.is_empty()
    }

    /// Whether each one's recruits' PV (`child_pv`, and in a what-if its own) is
    /// computed: a unilevel or differential bonus reads it, or a team volume requirement.
    fn needs_child_pv(&self) -> bool {
        self.plan.ranks.iter().any(|r| r.tv > 0)
            || self
                .plan
                .bonuses
                .iter()
                .any(|b| matches!(b, Bonus::Unilevel { .. } | Bonus::Differential { .. }))
    }

    /// The month's stages in order.
    fn stages(&mut self, m: &MonthInput) -> MonthTotals {
        let measures = self.measure(m);
        let qualified = self.evaluate_status(m, &measures);
        let paid = self.pay(m, &measures, qualified);
        self.close_month(m, &measures, qualified, paid)
    }
}

/// Ask the processor to bring `x`'s cache line in (a hint; nothing where there is none).
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of every x86_64 processor, and a prefetch never faults:
        // it reads nothing the program sees (and `x` is a valid reference anyway).
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}
