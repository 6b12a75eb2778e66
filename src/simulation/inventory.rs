//! Stock that participants hold (`[inventory]` of the scenario, `[buyback]` of the plan).
//!
//! What a participant buys and neither uses nor sells becomes stock, valued at what it
//! cost (cents at wholesale) and carrying the volume it was credited with:
//! - of each chosen own order, the scenario's `consumed_share` is used (rounded to the
//!   cent) and the rest is stocked; a top-up to the plan's minimum purchase, what is
//!   bought to qualify and a starter package are stocked whole;
//! - retail customers' orders are served from the stock held at the start of the month
//!   (a month's customers come before its own purchases), oldest stock first (so the
//!   stock held is always the most recently bought), and only the rest is ordered from
//!   the company as retail volume; the retail margin on what is sold from stock is the
//!   participant's, as on any retail sale;
//! - at quitting, `buyback_share` of those holding stock ask for a buy-back: the stock
//!   bought within the plan's `within_months` (all of it without a limit) is returned
//!   and `refund_share` of its cost refunded (rounded half away from zero, to the cent);
//!   with `charge_back`, the volume it carries is handed to the engine, which charges
//!   back what that volume pays in the month of the return.
//!
//! Volume leaves the stock in proportion to cost (`stock_pv × taken ÷ stock`, rounded
//! down; the last of the stock takes the rest), so a package bought without volume
//! carries none back. Draws are hashed per person (and month), so adding inventory to a
//! scenario changes nobody's recruiting, buying or quitting.

use crate::money::{round_div, RATE_ONE};
use crate::plan::compile::Buyback;
use crate::rng::{self, Purpose};
use crate::scenario::Inventory;

/// The month's stock movements, cents (for the monthly table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StockMonth {
    /// Starter packages bought.
    pub packages: i64,
    /// Added to stock (packages included).
    pub added: i64,
    /// Served from stock to retail customers (at cost).
    pub sold: i64,
    /// Returned under the buy-back (at cost).
    pub returned: i64,
    /// Refunded for it.
    pub refunds: i64,
    /// Commissions charged back on it.
    pub chargebacks: i64,
    /// Held by participants at the end of the month (at cost).
    pub held: i64,
    /// Retail margin on what was sold from stock (in the month's retail profit too).
    pub stock_margin: i64,
}

/// Per person over the run, cents.
#[derive(Clone, Debug, Default)]
pub struct StockTable {
    /// Held at the end of the run, or when the person quit (after any buy-back).
    pub stock: Vec<i64>,
    /// The starter package bought.
    pub package: Vec<i64>,
    /// Everything added to stock.
    pub stock_bought: Vec<i64>,
    /// Own orders used by the person.
    pub consumed: Vec<i64>,
    /// Served from stock to retail customers.
    pub sold_from_stock: Vec<i64>,
    /// Returned under the buy-back (at cost).
    pub bought_back: Vec<i64>,
    /// Refunded for it.
    pub refunds: Vec<i64>,
    /// Commissions charged back from the person (as an upline of a return).
    pub chargebacks: Vec<i64>,
}

/// Stock state of one run.
pub(super) struct Stock<'a> {
    inv: &'a Inventory,
    buyback: Option<Buyback>,
    /// Months of additions kept per person (the buy-back window; 0: none kept).
    window: usize,
    package_key: u64,
    buyback_key: u64,
    /// Volume held with the stock, hundredths of a point.
    stock_pv: Vec<i64>,
    /// Additions by month, `recent[i * window + m % window]` (only with a window).
    recent: Vec<i64>,
    /// Volume returned this month, per person (for the engine's charge-back).
    pub returns_pv: Vec<i64>,
    pub any_returns: bool,
    pub t: StockTable,
    pub month: StockMonth,
}

impl<'a> Stock<'a> {
    pub fn new(inv: &'a Inventory, buyback: Option<Buyback>, seed: u64, run: u32) -> Stock<'a> {
        Stock {
            inv,
            buyback,
            window: buyback.and_then(|b| b.within_months).unwrap_or(0) as usize,
            package_key: rng::key(seed, run, Purpose::Packages),
            buyback_key: rng::key(seed, run, Purpose::Buyback),
            stock_pv: vec![],
            recent: vec![],
            returns_pv: vec![],
            any_returns: false,
            t: StockTable::default(),
            month: StockMonth::default(),
        }
    }

    /// Size the per-person arrays to `n` people.
    pub fn grow(&mut self, n: usize) {
        let t = &mut self.t;
        for v in [
            &mut t.stock,
            &mut t.package,
            &mut t.stock_bought,
            &mut t.consumed,
            &mut t.sold_from_stock,
            &mut t.bought_back,
            &mut t.refunds,
            &mut t.chargebacks,
            &mut self.stock_pv,
        ] {
            v.resize(n, 0);
        }
        self.recent.resize(n * self.window, 0);
    }

    /// Start a month: its movements are counted afresh.
    pub fn start_month(&mut self) {
        self.month = StockMonth::default();
        if self.any_returns {
            self.returns_pv.iter_mut().for_each(|x| *x = 0);
            self.any_returns = false;
        }
    }

    /// The starter package person `i` buys at joining (cents; 0 for none).
    #[inline]
    pub fn package_of(&self, i: usize) -> i64 {
        if self.inv.packages.is_empty() {
            return 0;
        }
        let u = rng::uniform_at(self.package_key, i as u64, 0);
        let mut acc = 0.0;
        for &(cost, share) in &self.inv.packages {
            acc += share;
            if u < acc {
                return cost;
            }
        }
        self.inv.packages.last().map_or(0, |p| p.0)
    }

    /// The part of a chosen order of `cents` used by the person (the rest is stocked).
    #[inline]
    pub fn consumed_of(&self, cents: i64) -> i64 {
        (cents as f64 * self.inv.consumed_share).round() as i64
    }

    /// Person `i`'s purchases of month `m` that are not used: `added` cents carrying
    /// `pv`; `consumed` cents of chosen orders used; `package` the starter package.
    #[inline]
    pub fn add(&mut self, i: usize, m: u16, added: i64, pv: i64, consumed: i64, package: i64) {
        let t = &mut self.t;
        t.stock[i] += added;
        self.stock_pv[i] += pv;
        t.stock_bought[i] += added;
        t.consumed[i] += consumed;
        t.package[i] += package;
        self.month.added += added;
        self.month.packages += package;
        if self.window > 0 {
            self.recent[i * self.window + m as usize % self.window] = added;
        }
    }

    /// Take `cents` out of person `i`'s stock (at most what is held); returns the cents
    /// taken and the volume they carry.
    fn take(&mut self, i: usize, cents: i64) -> (i64, i64) {
        let held = self.t.stock[i];
        let taken = cents.min(held);
        if taken <= 0 {
            return (0, 0);
        }
        let pv = if taken == held {
            self.stock_pv[i]
        } else {
            (self.stock_pv[i] as i128 * taken as i128 / held as i128) as i64
        };
        self.t.stock[i] -= taken;
        self.stock_pv[i] -= pv;
        (taken, pv)
    }

    /// Serve a retail order worth `wholesale` cents from person `i`'s stock, if the
    /// scenario sells from stock; returns the part served.
    #[inline]
    pub fn sell(&mut self, i: usize, wholesale: i64) -> i64 {
        if !self.inv.sell_from_stock || self.t.stock[i] == 0 || wholesale <= 0 {
            return 0;
        }
        let (taken, _) = self.take(i, wholesale);
        self.t.sold_from_stock[i] += taken;
        self.month.sold += taken;
        taken
    }

    /// Person `i` quits at the start of month `m`: maybe asks for a buy-back.
    pub fn quit(&mut self, i: usize, m: u16) {
        let Some(b) = self.buyback else { return };
        if self.t.stock[i] == 0
            || rng::uniform_at(self.buyback_key, i as u64, m as u64) >= self.inv.buyback_share
        {
            return;
        }
        let eligible = if self.window > 0 {
            self.recent[i * self.window..(i + 1) * self.window]
                .iter()
                .sum::<i64>()
        } else {
            i64::MAX
        };
        let (returned, pv) = self.take(i, eligible);
        if returned == 0 {
            return;
        }
        let refund = round_div(returned as i128 * b.refund_share as i128, RATE_ONE as i128);
        self.t.bought_back[i] += returned;
        self.t.refunds[i] += refund;
        self.month.returned += returned;
        self.month.refunds += refund;
        if b.charge_back && pv > 0 {
            if self.returns_pv.len() <= i {
                self.returns_pv.resize(self.t.stock.len(), 0);
            }
            self.returns_pv[i] += pv;
            self.any_returns = true;
        }
    }

    /// Add the engine's charge-backs of the month (per person, cents).
    pub fn charge(&mut self, chargebacks: &[i64]) {
        for (t, &c) in self.t.chargebacks.iter_mut().zip(chargebacks) {
            *t += c;
        }
        self.month.chargebacks += chargebacks.iter().sum::<i64>();
    }

    /// Close the month: the stock held by those still participating.
    pub fn close_month(&mut self, active: &[u32]) {
        self.month.held = active.iter().map(|&i| self.t.stock[i as usize]).sum();
    }
}
