//! The people of one run: per-person state as one struct of arrays, and the month's
//! phases as its methods, called in order by [`super::run_one`]:
//! [`People::attrition`] → [`People::recruitment`] → [`People::customers`] →
//! [`People::parties`] → [`People::purchases`] → [`People::plan`] (the engine, then the
//! per-person accumulators).
//!
//! Every random draw comes from a generator of its own purpose (see [`crate::rng`]) and
//! none depends on the plan: two plans run with the same seed see the same people, buying
//! the same orders (common random numbers). The plan only turns those orders into volume
//! (a required monthly purchase tops a smaller order up, without a draw).

use super::inventory::Stock;
use super::{expected_ever_joined, RunOptions, MAX_PEOPLE};
use crate::downline::{Downline, Kept, NEVER, NO_SPONSOR};
use crate::engine::{MonthInput, MonthTotals, Party, PlanEngine};
use crate::error::{Error, Result};
use crate::metrics::{DistributorTable, MonthRow, RunOutput, RunSummary};
use crate::money::{MAX_MONTH_VALUE_CENTS, MAX_MONTH_VOLUME, RATE_ONE};
use crate::plan::{CompiledPlan, NO_RANK};
use crate::rng::{self, stream, Purpose};
use crate::scenario::samplers::{binomial, poisson, poisson_at, Lifetime, LogNormalCents};
use crate::scenario::{Effect, MarketModel, Scenario};
use rand::Rng;
use rand_distr::{Distribution, Gamma};
use rand_xoshiro::Xoshiro256PlusPlus as Rng64;

/// The random sources of a run, one per purpose, and the laws they draw from.
struct Draws {
    recruit: Rng64,
    quit: Rng64,
    buy: Rng64,
    customers: Rng64,
    traits: Rng64,
    party: Rng64,
    /// Keys of numbers hashed from (person, month) instead of drawn in sequence.
    host_key: u64,
    quit_key: u64,
    btq_key: u64,
    shock_key: u64,
    lifetime: Lifetime,
    /// Recruits' lifetimes, when the recruiting style changes how long they stay.
    recruit_lifetime: Lifetime,
    /// With calendar events on quitting: recruits' lifetimes by join month.
    recruit_lifetime_by_month: Vec<Lifetime>,
    orders: LogNormalCents,
    preferred_orders: LogNormalCents,
    customer_orders: LogNormalCents,
    party_sales: LogNormalCents,
    skill: Option<Gamma<f64>>,
}

impl Draws {
    fn new(scenario: &Scenario, run: u32, opts: RunOptions) -> Draws {
        let s = scenario;
        let lifetime = Lifetime::new(&s.quit, opts.months as usize + 1);
        let recruit_lifetime = if s.recruit_quit_multiplier == 1.0 {
            lifetime.clone()
        } else {
            let scaled: Vec<f64> = s
                .quit
                .iter()
                .map(|h| (h * s.recruit_quit_multiplier).min(1.0))
                .collect();
            Lifetime::new(&scaled, opts.months as usize + 1)
        };
        Draws {
            recruit: stream(opts.seed, run, Purpose::Recruitment),
            quit: stream(opts.seed, run, Purpose::Attrition),
            buy: stream(opts.seed, run, Purpose::Purchases),
            customers: stream(opts.seed, run, Purpose::Customers),
            traits: stream(opts.seed, run, Purpose::Traits),
            party: stream(opts.seed, run, Purpose::Parties),
            host_key: rng::key(opts.seed, run, Purpose::PartyHosting),
            quit_key: rng::key(opts.seed, run, Purpose::QuitDecisions),
            btq_key: rng::key(opts.seed, run, Purpose::BuyToQualify),
            shock_key: rng::key(opts.seed, run, Purpose::Shocks),
            recruit_lifetime_by_month: if s.calendar.changes(Effect::Quitting) {
                let f = s.calendar.by_month(Effect::Quitting, opts.months);
                let scaled: Vec<f64> = s
                    .quit
                    .iter()
                    .map(|h| (h * s.recruit_quit_multiplier).min(1.0))
                    .collect();
                (0..=opts.months)
                    .map(|j| Lifetime::in_calendar(&scaled, opts.months as usize + 1, j, &f))
                    .collect()
            } else {
                vec![]
            },
            lifetime: if s.calendar.changes(Effect::Quitting) {
                let f = s.calendar.by_month(Effect::Quitting, opts.months);
                Lifetime::in_calendar(&s.quit, opts.months as usize + 1, 1, &f)
            } else {
                lifetime
            },
            recruit_lifetime,
            orders: LogNormalCents::new(s.order_mean, s.order_sigma),
            preferred_orders: LogNormalCents::new(s.preferred_order_mean, s.preferred_order_sigma),
            customer_orders: LogNormalCents::new(s.customer_order_mean, s.customer_order_sigma),
            party_sales: LogNormalCents::new(s.party_sales_mean, s.party_sales_sigma),
            skill: s
                .heterogeneity
                .map(|k| Gamma::new(k, 1.0 / k).expect("validated shape")),
        }
    }

    /// A new person's recruiting skill (mean 1).
    fn skill(&mut self) -> f32 {
        match &self.skill {
            Some(g) => g.sample(&mut self.traits) as f32,
            None => 1.0,
        }
    }
}

/// The scenario's calendar events as multipliers by month (index = month).
struct Shocks {
    recruiting: Vec<f64>,
    quitting: Vec<f64>,
    order_probability: Vec<f64>,
    order_size: Vec<f64>,
    customers: Vec<f64>,
    market_size: Vec<f64>,
    removed: Vec<f64>,
}

impl Shocks {
    fn new(scenario: &Scenario, months: u16) -> Shocks {
        let c = &scenario.calendar;
        Shocks {
            recruiting: c.by_month(Effect::Recruiting, months),
            quitting: c.by_month(Effect::Quitting, months),
            order_probability: c.by_month(Effect::OrderProbability, months),
            order_size: c.by_month(Effect::OrderSize, months),
            customers: c.by_month(Effect::CustomerAcquisition, months),
            market_size: c.by_month(Effect::MarketSize, months),
            removed: (0..=months).map(|m| c.removed_share(m)).collect(),
        }
    }
}

/// Everyone who ever joined in one run, their state this month and their totals so far.
pub(super) struct People<'a> {
    plan: &'a CompiledPlan,
    scenario: &'a Scenario,
    run: u32,
    months: u16,
    keep_distributors: bool,
    draws: Draws,
    /// Quitting reads the plan (rank, earnings): decided month by month, not drawn ahead.
    state_quit: bool,
    /// Recruiting is one rate for everyone: the total is drawn, then uniform sponsors.
    homogeneous: bool,
    expenses_cents: i64,
    capacity: usize,
    /// Whether the run keeps `retail_pv`, `preferred_pv` and `retail_profit` (it has
    /// customers, preferred customers, a retail margin or a per-person table).
    has: [bool; 3],
    /// Which of the table's totals the run can add to: customers', preferred customers'
    /// and parties' volume, required and qualifying purchases.
    kept_has: [bool; 5],
    /// Who joined, when, under whom, and when they quit.
    d: Downline,
    /// Those participating, in join order.
    active: Vec<u32>,
    participating: Vec<bool>,
    // This month, per person (hundredths of a point).
    own_pv: Vec<i64>,
    retail_pv: Vec<i64>,
    preferred_pv: Vec<i64>,
    /// This month's party sales (only with parties).
    party_now: Vec<i64>,
    // The whole run, per person (cents, or hundredths of a point for volumes).
    earnings: Vec<i64>,
    retail_profit: Vec<i64>,
    purchases: Vec<i64>,
    own_volume: Vec<i64>,
    customer_volume: Vec<i64>,
    preferred_volume: Vec<i64>,
    party_volume: Vec<i64>,
    required: Vec<i64>,
    qualifying: Vec<i64>,
    /// Months in a row whose earnings did not cover costs, and this month's costs (only
    /// when quitting reads them).
    streak: Vec<u16>,
    month_cost: Vec<i64>,
    /// The calendar's multipliers by month (index = month; all 1 without events).
    shocks: Shocks,
    /// Stock held (only with the scenario's `[inventory]`).
    stock: Option<Stock<'a>>,
    /// The month's volume from customers and parties so far, added exactly (the own
    /// orders' volume is added by `purchases`, which checks the month's bounds).
    month_volume: i128,
    // Scratch of the month.
    parties: Vec<Party>,
    weights: Vec<f64>,
    new_sponsors: Vec<u32>,
}

impl<'a> People<'a> {
    /// The founders of run `run`, with room for the expected downline.
    pub(super) fn new(
        plan: &'a CompiledPlan,
        scenario: &'a Scenario,
        run: u32,
        opts: RunOptions,
    ) -> People<'a> {
        let state_quit =
            scenario.rank_quit_multiplier.is_some() || scenario.unprofitable_months.is_some();
        let homogeneous = scenario.heterogeneity.is_none()
            && scenario.recruit_rate.len() == 1
            && scenario.success_breeds_success == 0.0
            && scenario.market_model == MarketModel::Fill;
        // Room for the expected downline up front: growing the arrays by doubling would
        // copy them and fault their pages in again.
        let cap = expected_ever_joined(scenario, opts.months).min(50_000_000.0) as usize;
        let with = || Vec::with_capacity(cap);
        // Totals only the per-person table reads exist only when it is kept.
        let kept = || Vec::with_capacity(if opts.keep_distributors { cap } else { 0 });
        // Arrays for what the scenario or the plan has: customers' volume, preferred
        // customers' volume, and a retail margin (the retail bonus, or stock sold).
        let with_customers = scenario.customer_rate > 0.0;
        let with_preferred = with_customers && scenario.preferred_share > 0.0;
        let with_margin = scenario.inventory.is_some()
            || plan
                .bonuses
                .iter()
                .any(|b| !b.paid_by_company() && !b.paid_to_host());
        let when = |keep: bool| Vec::with_capacity(if keep { cap } else { 0 });
        // The table's totals that the run can add to: a total it never adds to is left
        // empty, and the table gets zeroed memory for it (see `into_output`).
        let kept_has = [
            with_customers,
            with_preferred,
            scenario.has_parties(),
            plan.costs.min_monthly_purchase > 0,
            plan.min_pv > 0 && scenario.buy_to_qualify > 0.0,
        ];
        let kept_if = |has: bool| when(opts.keep_distributors && has);
        let mut p = People {
            plan,
            scenario,
            run,
            months: opts.months,
            keep_distributors: opts.keep_distributors,
            draws: Draws::new(scenario, run, opts),
            state_quit,
            homogeneous,
            expenses_cents: (scenario.monthly_expenses * 100.0).round() as i64,
            capacity: cap,
            has: [with_customers, with_preferred, with_margin],
            d: Downline::keeping(
                cap,
                Kept {
                    skill: scenario.heterogeneity.is_some(),
                    customers: with_customers,
                    recruits: opts.keep_distributors || scenario.success_breeds_success != 0.0,
                },
            ),
            active: Vec::new(),
            participating: Vec::with_capacity(cap),
            own_pv: with(),
            retail_pv: when(with_customers),
            preferred_pv: when(with_preferred),
            party_now: if scenario.has_parties() {
                with()
            } else {
                vec![]
            },
            earnings: with(),
            retail_profit: when(with_margin),
            purchases: kept(),
            own_volume: kept(),
            customer_volume: kept_if(kept_has[0]),
            preferred_volume: kept_if(kept_has[1]),
            party_volume: kept_if(kept_has[2]),
            required: kept_if(kept_has[3]),
            qualifying: kept_if(kept_has[4]),
            kept_has,
            streak: Vec::with_capacity(if state_quit { cap } else { 0 }),
            month_cost: Vec::with_capacity(if state_quit { cap } else { 0 }),
            shocks: Shocks::new(scenario, opts.months),
            month_volume: 0,
            stock: scenario
                .inventory
                .as_ref()
                .map(|inv| Stock::new(inv, plan.buyback, opts.seed, run)),
            parties: Vec::new(),
            weights: Vec::new(),
            new_sponsors: Vec::new(),
        };
        for _ in 0..scenario.founders {
            let q = if state_quit {
                NEVER
            } else {
                p.draws.lifetime.quit_month(&mut p.draws.quit, 1)
            };
            let s = p.draws.skill();
            p.d.push(NO_SPONSOR, 1, q, s);
        }
        p.active = (0..p.d.len() as u32).collect();
        p.grow();
        p
    }

    /// How many people the arrays were sized for.
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Size every per-person array to the downline.
    fn grow(&mut self) {
        let n = self.d.len();
        self.participating.resize(n, true);
        self.own_pv.resize(n, 0);
        self.earnings.resize(n, 0);
        // The arrays a run keeps only for what it has (see `new`).
        let [customers, preferred, margin] = self.has;
        for (v, keep) in [
            (&mut self.retail_pv, customers),
            (&mut self.preferred_pv, preferred),
            (&mut self.retail_profit, margin),
        ] {
            if keep {
                v.resize(n, 0);
            }
        }
        if self.keep_distributors {
            self.purchases.resize(n, 0);
            self.own_volume.resize(n, 0);
            let h = self.kept_has;
            for (v, has) in [
                (&mut self.customer_volume, h[0]),
                (&mut self.preferred_volume, h[1]),
                (&mut self.party_volume, h[2]),
                (&mut self.required, h[3]),
                (&mut self.qualifying, h[4]),
            ] {
                if has {
                    v.resize(n, 0);
                }
            }
        }
        if self.scenario.has_parties() {
            self.party_now.resize(n, 0);
        }
        if self.state_quit {
            self.streak.resize(n, 0);
            self.month_cost.resize(n, 0);
        }
        if let Some(s) = &mut self.stock {
            s.grow(n);
        }
    }

    /// Attrition at the start of month `m`: lifetimes were drawn at joining, or are
    /// decided now when quitting reads the plan's results (`max_rank`: the highest rank
    /// each one reached). Returns how many quit.
    pub(super) fn attrition(&mut self, m: u16, max_rank: &[u8]) -> u32 {
        if m == 1 {
            return 0;
        }
        let sc = self.scenario;
        if self.state_quit {
            for &i in &self.active {
                let i = i as usize;
                let t = (m - self.d.join_month[i] - 1) as usize;
                let mut h = sc.quit[t.min(sc.quit.len() - 1)];
                if self.d.sponsor[i] != NO_SPONSOR {
                    h *= sc.recruit_quit_multiplier;
                }
                if let Some(mult) = &sc.rank_quit_multiplier {
                    let r = max_rank[i];
                    if r != NO_RANK {
                        h *= mult[(r as usize).min(mult.len() - 1)];
                    }
                }
                if let Some(k) = sc.unprofitable_months {
                    if self.streak[i] as u32 >= k {
                        h *= sc.unprofitable_multiplier;
                    }
                }
                h *= self.shocks.quitting[m as usize];
                if rng::uniform_at(self.draws.quit_key, i as u64, m as u64) < h {
                    self.d.quit_month[i] = m;
                }
            }
        }
        let removed = self.shocks.removed[m as usize];
        if removed > 0.0 {
            // A one-off shock: a share of those still in leaves at the start of the month.
            for &i in &self.active {
                let i = i as usize;
                if self.d.quit_month[i] > m
                    && rng::uniform_at(self.draws.shock_key, i as u64, m as u64) < removed
                {
                    self.d.quit_month[i] = m;
                }
            }
        }
        let mut quit = 0u32;
        if let Some(s) = &mut self.stock {
            s.start_month();
            for &i in &self.active {
                if self.d.quit_month[i as usize] <= m {
                    s.quit(i as usize, m);
                }
            }
        }
        let (d, participating) = (&self.d, &mut self.participating);
        let (own_pv, retail_pv, preferred_pv) = (
            &mut self.own_pv,
            &mut self.retail_pv,
            &mut self.preferred_pv,
        );
        self.active.retain(|&i| {
            let stays = d.quit_month[i as usize] > m;
            if !stays {
                participating[i as usize] = false;
                own_pv[i as usize] = 0;
                if let Some(v) = retail_pv.get_mut(i as usize) {
                    *v = 0;
                }
                if let Some(v) = preferred_pv.get_mut(i as usize) {
                    *v = 0;
                }
                quit += 1;
            }
            stays
        });
        quit
    }

    /// Recruitment in month `m`: the total is Poisson(Σ rates); sponsors are drawn in
    /// proportion to their rates (the same law as one Poisson per person, with fewer
    /// draws). Returns how many joined (the founders in month 1).
    pub(super) fn recruitment(&mut self, m: u16) -> Result<u32> {
        let sc = self.scenario;
        if m == 1 {
            return Ok(sc.founders);
        }
        let size = self.market_size(m);
        let saturation = match size {
            Some(size) => (1.0 - self.d.len() as f64 / size).max(0.0),
            None => 1.0,
        };
        // Everyone in the list joined in an earlier month: this month's recruits come next.
        let eligible = self.active.len();
        if eligible == 0 || saturation <= 0.0 {
            return Ok(0);
        }
        self.new_sponsors.clear();
        let boost = self.shocks.recruiting[m as usize];
        if self.homogeneous {
            self.draw_sponsors_uniformly(sc.recruit_rate[0], saturation * boost);
        } else {
            self.draw_sponsors_by_weight(m, saturation, boost);
        }
        if let Some(size) = size {
            let room = (size - self.d.len() as f64).max(0.0) as usize;
            self.new_sponsors.truncate(room);
        }
        self.new_sponsors.sort_unstable();
        for k in 0..self.new_sponsors.len() {
            let s = self.new_sponsors[k];
            let q = if self.state_quit {
                NEVER
            } else if self.draws.recruit_lifetime_by_month.is_empty() {
                self.draws
                    .recruit_lifetime
                    .quit_month(&mut self.draws.quit, m)
            } else {
                self.draws.recruit_lifetime_by_month[m as usize].quit_month(&mut self.draws.quit, m)
            };
            let sk = self.draws.skill();
            let id = self.d.push(s, m, q, sk);
            self.active.push(id);
        }
        if self.d.len() > MAX_PEOPLE {
            return Err(Error::Argument(format!(
                "run {} grew past {MAX_PEOPLE} people in month {m}: the scenario has no \
                 limit that holds it (set market.size, lower recruiting, or simulate fewer months)",
                self.run
            )));
        }
        self.grow();
        Ok(self.new_sponsors.len() as u32)
    }

    /// Everyone recruits at one `rate` (times the room left in the market and the
    /// calendar's factor): draw the total, then a sponsor for each uniformly.
    fn draw_sponsors_uniformly(&mut self, rate: f64, factor: f64) {
        let eligible = self.active.len();
        let rng = &mut self.draws.recruit;
        let k = poisson(rng, eligible as f64 * rate * factor);
        for _ in 0..k {
            self.new_sponsors
                .push(self.active[rng.random_range(0..eligible)]);
        }
    }

    /// Recruiting rates differ (tenure, skill, success, Bass diffusion): draw the total,
    /// then each sponsor in proportion to its rate.
    fn draw_sponsors_by_weight(&mut self, m: u16, saturation: f64, boost: f64) {
        let sc = self.scenario;
        let eligible = self.active.len();
        self.weights.clear();
        let mut total = 0.0f64;
        let sbs = sc.success_breeds_success;
        let d = &self.d;
        let weights = &mut self.weights;
        for &i in &self.active[..eligible] {
            let i = i as usize;
            let tenure = (m - d.join_month[i]) as usize;
            let recruits = if sbs == 0.0 { 0 } else { d.recruits[i] };
            let boost = 1.0 + sbs * recruits as f64;
            total += sc.recruit_rate_at(tenure) * d.skill_of(i) as f64 * boost;
            weights.push(total);
        }
        let lambda = boost
            * match sc.market_model {
                MarketModel::Fill => total * saturation,
                MarketModel::Bass {
                    innovation,
                    imitation,
                } => {
                    // Bass diffusion sets how many join; recruiting sets who signs them.
                    let size = self.market_size(m).expect("validated: Bass needs a size");
                    let left = (size - self.d.len() as f64).max(0.0);
                    if total > 0.0 {
                        (innovation + imitation * eligible as f64 / size) * left
                    } else {
                        0.0
                    }
                }
            };
        let rng = &mut self.draws.recruit;
        let k = poisson(rng, lambda);
        for _ in 0..k {
            let u = rng.random::<f64>() * total;
            let j = self.weights.partition_point(|&w| w <= u).min(eligible - 1);
            self.new_sponsors.push(self.active[j]);
        }
    }

    /// The market's size in month `m` (`None`: no limit).
    fn market_size(&self, m: u16) -> Option<f64> {
        self.scenario
            .market_size
            .map(|s| s * self.shocks.market_size[m as usize])
    }

    /// Retail and preferred customers of everyone participating in month `m`: churn, new
    /// customers, and this month's orders (as PV, at wholesale for retail).
    pub(super) fn customers(&mut self, m: u16) {
        let (sc, plan) = (self.scenario, self.plan);
        self.month_volume = 0;
        if sc.customer_rate <= 0.0 {
            return;
        }

        let mut month_volume = 0i64;
        let acquisition = sc.customer_rate * self.shocks.customers[m as usize];
        let p0 = (-acquisition).exp();
        let draws = &mut self.draws;
        let rng = &mut draws.customers;
        let (customers, preferred) = (&mut self.d.customers[..], &mut self.d.preferred[..]);
        let (preferred_pv, preferred_volume, retail_pv, customer_volume) = (
            &mut self.preferred_pv[..],
            &mut self.preferred_volume[..],
            &mut self.retail_pv[..],
            &mut self.customer_volume[..],
        );
        let (stock, retail_profit) = (&mut self.stock, &mut self.retail_profit[..]);
        let keep = self.keep_distributors;
        for &i in &self.active {
            let i = i as usize;
            let mut c = customers[i] as u64;
            c -= binomial(rng, c, sc.customer_churn);
            let new = poisson_at(rng, acquisition, p0);
            if sc.preferred_share > 0.0 {
                // Preferred customers: churn alike, order at the member price.
                let mut pc = preferred[i] as u64;
                pc -= binomial(rng, pc, sc.customer_churn);
                let new_pref = binomial(rng, new, sc.preferred_share);
                pc = (pc + new_pref).min(u16::MAX as u64);
                preferred[i] = pc as u16;
                c = (c + new - new_pref).min(u16::MAX as u64);
                let k = binomial(rng, pc, sc.preferred_order_probability);
                let mut cents = 0i64;
                for _ in 0..k {
                    cents += draws.preferred_orders.sample(rng);
                }
                let v = plan.volume_of(cents);
                preferred_pv[i] = v;
                if keep {
                    preferred_volume[i] += v;
                }
                month_volume = month_volume.saturating_add(v);
            } else {
                c = (c + new).min(u16::MAX as u64);
            }
            customers[i] = c as u16;
            let k = binomial(rng, c, sc.customer_order_probability);
            let mut sales = 0i64;
            for _ in 0..k {
                sales += draws.customer_orders.sample(rng);
            }
            let wholesale = plan.wholesale_of(sales);
            let from_stock = match stock {
                Some(s) => s.sell(i, wholesale),
                None => 0,
            };
            if from_stock > 0 {
                // The retail margin on what was sold from stock is the participant's.
                let margin =
                    ((sales - wholesale) as i128 * from_stock as i128 / wholesale as i128) as i64;
                retail_profit[i] += margin;
                if let Some(s) = stock {
                    s.month.stock_margin += margin;
                }
            }
            let v = plan.volume_of(wholesale - from_stock);
            retail_pv[i] = v;
            if keep {
                customer_volume[i] += v;
            }
            month_volume = month_volume.saturating_add(v);
        }
        self.month_volume = month_volume as i128;
    }

    /// Home parties in month `m`, held by those who host, their sales credited to them.
    pub(super) fn parties(&mut self, m: u16) {
        self.parties.clear();
        let (sc, plan) = (self.scenario, self.plan);
        if !sc.has_parties() {
            return;
        }
        let share = sc.party_hosting_share;
        for &i in &self.active {
            let i = i as usize;
            self.party_now[i] = 0;
            if share < 1.0 && rng::uniform_at(self.draws.host_key, i as u64, 0) >= share {
                continue;
            }
            let rate = sc.party_rate_at((m - self.d.join_month[i]) as usize);
            let k = poisson(&mut self.draws.party, rate);
            for _ in 0..k {
                let sales = self.draws.party_sales.sample(&mut self.draws.party);
                let v = plan.volume_of(plan.wholesale_of(sales));
                self.parties.push(Party {
                    distributor: i as u32,
                    pv: v,
                });
                if self.keep_distributors {
                    self.party_volume[i] += v;
                }
                self.party_now[i] += v;
                self.month_volume += v as i128;
            }
        }
    }

    /// Own purchases (topped up to the plan's minimum; bought up to the activity minimum
    /// by those who buy to qualify), fees and expenses of everyone participating.
    ///
    /// The month's volume (own, customers', parties') and what participants paid for it
    /// are added up exactly; a month above [`MAX_MONTH_VOLUME`] or worth more than
    /// [`MAX_MONTH_VALUE_CENTS`] is an error naming the scenario's settings, so that every
    /// sum made from it later fits 64 bits (600 months of it fit a person's totals).
    pub(super) fn purchases(&mut self, m: u16) -> Result<()> {
        // Two builds of the loop: without stock, it carries none of its bookkeeping.
        let month_volume = if self.stock.is_some() {
            self.buy::<true>(m)
        } else {
            self.buy::<false>(m)
        };
        let month_volume = month_volume as i128 + self.month_volume;
        let value = month_volume * self.plan.point_value as i128 / RATE_ONE as i128;
        if month_volume > MAX_MONTH_VOLUME as i128 || value > MAX_MONTH_VALUE_CENTS as i128 {
            return Err(Error::Scenario {
                path: "purchases".into(),
                message: format!(
                    "in month {m} the participants' and their customers' orders add up to more than a month may hold (100,000,000,000,000 points or as much in money): lower the order means (purchases.mean, customers.order_mean, parties.sales_mean), their spread or the number of people (market)"
                ),
            });
        }
        Ok(())
    }

    /// The purchases loop; returns the own orders' volume, exactly. (What they cost is
    /// their volume's value, to the rounding of a point.)
    #[inline(always)]
    fn buy<const STOCK: bool>(&mut self, m: u16) -> i64 {
        let (sc, plan) = (self.scenario, self.plan);
        let costs = &plan.costs;
        let p_order = (sc.order_probability * self.shocks.order_probability[m as usize]).min(1.0);
        let size = self.shocks.order_size[m as usize];
        let btq = if plan.min_pv > 0 {
            sc.buy_to_qualify
        } else {
            0.0
        };
        let with_parties = sc.has_parties();
        let expenses_cents = self.expenses_cents;
        let state_quit = self.state_quit;
        // Local slices: the loop keeps the arrays' addresses in registers.
        let (required, qualifying, purchases, own_pv, own_volume) = (
            &mut self.required[..],
            &mut self.qualifying[..],
            &mut self.purchases[..],
            &mut self.own_pv[..],
            &mut self.own_volume[..],
        );
        let month_cost = &mut self.month_cost[..];
        let (retail_pv, preferred_pv, party_now) = (
            &self.retail_pv[..],
            &self.preferred_pv[..],
            &self.party_now[..],
        );
        let join_month = &self.d.join_month[..];
        let draws = &mut self.draws;
        let stock = &mut self.stock;
        let keep = self.keep_distributors;
        // Saturating: a month held at the 64-bit bound is refused all the same.
        let mut month_volume = 0i64;
        for &i in &self.active {
            let i = i as usize;
            let mut cents = if p_order >= 1.0 || draws.buy.random::<f64>() < p_order {
                let c = draws.orders.sample(&mut draws.buy);
                if size == 1.0 {
                    c
                } else {
                    (c as f64 * size).round() as i64
                }
            } else {
                0
            };
            let chosen = cents;
            let tenure = m - join_month[i];
            // A starter package at joining: with volume, it counts toward the minimum
            // purchase and the activity minimum; without, it is bought beside them.
            let package = match stock {
                Some(s) if STOCK && tenure == 0 => s.package_of(i),
                _ => 0,
            };
            if STOCK && plan.packages_commissionable {
                cents += package;
            }
            let mut cost = 0i64;
            if cents < costs.min_monthly_purchase {
                if keep {
                    required[i] += costs.min_monthly_purchase - cents;
                }
                cost += costs.min_monthly_purchase - cents;
                cents = costs.min_monthly_purchase;
            }
            let mut v = plan.volume_of(cents);
            // The PV this person has this month besides own orders.
            let others = || {
                let at = |v: &[i64]| v.get(i).copied().unwrap_or(0);
                at(retail_pv) + at(preferred_pv) + if with_parties { party_now[i] } else { 0 }
            };
            if btq > 0.0
                && v + others() < plan.min_pv
                && rng::uniform_at(draws.btq_key, i as u64, m as u64) < btq
            {
                // Buying to qualify: the difference to the activity minimum, at wholesale.
                let others = others();
                let short = plan.min_pv - v - others;
                let mut extra = ((short as i128 * plan.point_value as i128 + RATE_ONE as i128 - 1)
                    / RATE_ONE as i128) as i64;
                while plan.volume_of(cents + extra) + others < plan.min_pv {
                    extra += 1;
                }
                cents += extra;
                if keep {
                    qualifying[i] += extra;
                }
                cost += extra;
                v = plan.volume_of(cents);
            }
            if let Some(s) = stock.as_mut().filter(|_| STOCK) {
                // What is not used is stocked: the unused part of the chosen order, and
                // whole every top-up, qualifying purchase and package.
                let used = s.consumed_of(chosen);
                let (added, added_pv) = if plan.packages_commissionable {
                    (cents - used, v - plan.volume_of(used).min(v))
                } else {
                    (cents - used + package, v - plan.volume_of(used).min(v))
                };
                s.add(i, m, added, added_pv, used, package);
                cost += package;
                if !plan.packages_commissionable {
                    cents += package;
                }
            }
            month_volume = month_volume.saturating_add(v);
            if keep {
                purchases[i] += cents;
                own_volume[i] += v;
            }
            own_pv[i] = v;
            // Fees and expenses follow from months of membership (`fees_and_expenses`);
            // only quitting that reads this month's costs needs them now.
            if tenure == 0 {
                cost += costs.enrollment_fee;
            } else if tenure % 12 == 0 {
                cost += costs.annual_fee;
            }
            if state_quit {
                month_cost[i] = cost + expenses_cents;
            }
        }
        month_volume
    }

    /// The plan for month `m`: run the engine over this month's volumes, then add each
    /// one's pay to its totals (and, when quitting reads it, whether pay covered costs).
    pub(super) fn plan(&mut self, m: u16, engine: &mut PlanEngine) -> Result<MonthTotals> {
        let n = self.d.len();
        let input = MonthInput {
            month: m,
            sponsor: &self.d.sponsor,
            join_month: &self.d.join_month,
            participating: &self.participating[..n],
            own_pv: &self.own_pv[..n],
            // Without customers (or preferred ones) the engine reads no array for them.
            retail_pv: if self.retail_pv.is_empty() {
                &[]
            } else {
                &self.retail_pv[..n]
            },
            preferred_pv: if self.preferred_pv.is_empty() {
                &[]
            } else {
                &self.preferred_pv[..n]
            },
            parties: &self.parties,
        };
        if let Some(s) = self.stock.as_ref().filter(|s| s.any_returns) {
            engine.set_returns(&s.returns_pv);
        }
        let totals = engine.try_run_month(&input)?;
        self.accumulate(engine, &totals);
        if let Some(s) = &mut self.stock {
            if totals.chargebacks != 0 {
                s.charge(&engine.chargebacks);
            }
            s.close_month(&self.active);
        }
        Ok(totals)
    }

    /// Add the month's pay to each one's totals: commissions to earnings, retail margin to
    /// retail profit (host rewards are the hosts'), and update the unprofitable streaks.
    fn accumulate(&mut self, engine: &PlanEngine, totals: &MonthTotals) {
        let n = self.d.len();
        let plan = self.plan;
        for (b, bonus) in plan.bonuses.iter().enumerate() {
            if totals.by_bonus[b] == 0 || bonus.paid_to_host() {
                continue;
            }
            let acc = if bonus.paid_by_company() {
                &mut self.earnings
            } else {
                &mut self.retail_profit
            };
            for (e, &a) in acc.iter_mut().zip(&engine.amounts[b][..n]) {
                *e += a;
            }
        }
        if self.scenario.unprofitable_months.is_some() {
            // Did this month's commissions and retail margin cover this month's costs?
            for &i in &self.active {
                let i = i as usize;
                let income: i64 = engine
                    .amounts
                    .iter()
                    .zip(&plan.bonuses)
                    .filter(|(_, b)| !b.paid_to_host())
                    .map(|(a, _)| a[i])
                    .sum();
                self.streak[i] = if income < self.month_cost[i] {
                    self.streak[i].saturating_add(1)
                } else {
                    0
                };
            }
        }
    }

    /// The month's row of the monthly table.
    pub(super) fn month_row(&self, m: u16, joined: u32, quit: u32, t: MonthTotals) -> MonthRow {
        let retail_index = self.plan.bonuses.iter().position(|b| !b.paid_by_company());
        let retail_total = retail_index.map(|b| t.by_bonus[b]).unwrap_or(0);
        MonthRow {
            month: m,
            active: self.active.len() as u32,
            joined,
            quit,
            qualified: t.qualified,
            volume: t.volume,
            retail_volume: t.retail_volume,
            preferred_volume: t.preferred_volume,
            party_volume: t.party_volume,
            host_rewards: t.host_rewards,
            volume_value: t.volume_value,
            payout: t.payout,
            payout_before_cap: t.payout_before_cap,
            retail_profit: retail_total + self.stock.as_ref().map_or(0, |s| s.month.stock_margin),
            by_bonus: t.by_bonus,
            rank_counts: t.rank_counts,
            sources: t.sources,
            potential: t.potential,
            stock: self.stock.as_ref().map(|s| s.month),
        }
    }

    /// The run's output: its months, its summary and (if kept) one row per person.
    pub(super) fn into_output(self, monthly: Vec<MonthRow>, max_rank: &[u8]) -> RunOutput {
        let months = self.months;
        let d = &self.d;
        // Months of membership within the horizon: everyone is in for its join month.
        let months_active =
            |i: usize| (d.quit_month[i] as u32).min(months as u32 + 1) - d.join_month[i] as u32;
        // Fees and expenses follow from them: the enrollment fee in the join month, the
        // annual fee at every 12 months of membership, expenses every month.
        let costs = &self.plan.costs;
        let fees = |i: usize| {
            costs.enrollment_fee + costs.annual_fee * ((months_active(i) as i64 - 1) / 12)
        };
        let expenses = |i: usize| self.expenses_cents * months_active(i) as i64;
        let summary = RunSummary::compute(
            &monthly,
            &self.earnings,
            &self.retail_profit,
            &|i| fees(i) + expenses(i),
            &self.active,
        );
        // A column of zeros is zeroed memory, whose pages are not touched until read:
        // the totals the run never added to, and fees or expenses the run does not have.
        let n = d.len();
        let zeros_if_empty = |v: Vec<i64>| if v.is_empty() { vec![0; n] } else { v };
        let (fees, expenses, months_active): (Vec<i64>, Vec<i64>, Vec<u32>) =
            if self.keep_distributors {
                let any_fee = costs.enrollment_fee != 0 || costs.annual_fee != 0;
                (
                    if any_fee {
                        (0..n).map(fees).collect()
                    } else {
                        vec![0; n]
                    },
                    if self.expenses_cents != 0 {
                        (0..n).map(expenses).collect()
                    } else {
                        vec![0; n]
                    },
                    (0..n).map(months_active).collect(),
                )
            } else {
                (vec![], vec![], vec![])
            };
        let d = self.d;
        let distributors = self.keep_distributors.then(|| DistributorTable {
            months_active,
            quit_month: d
                .quit_month
                .iter()
                .map(|&q| if q > months { NEVER } else { q })
                .collect(),
            sponsor: d.sponsor,
            join_month: d.join_month,
            recruits: d.recruits,
            max_rank: max_rank.to_vec(),
            earnings: self.earnings,
            retail_profit: zeros_if_empty(self.retail_profit),
            fees,
            purchases: self.purchases,
            expenses,
            own_volume: self.own_volume,
            customer_volume: zeros_if_empty(self.customer_volume),
            preferred_volume: zeros_if_empty(self.preferred_volume),
            party_volume: zeros_if_empty(self.party_volume),
            required_purchases: zeros_if_empty(self.required),
            qualifying_purchases: zeros_if_empty(self.qualifying),
            stock: self.stock.map(|s| s.t),
        });
        RunOutput {
            run: self.run,
            monthly,
            summary,
            distributors,
        }
    }
}
