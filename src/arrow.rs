//! Arrow `RecordBatch` builders for simulation results and ledgers.
//!
//! Money travels as `Decimal128(18, 2)` (exact cents), volume as `Decimal128(18, 2)`
//! points; ratios and statistics about money as `Float64`.

use crate::downline::{NEVER, NO_SPONSOR};
use crate::ledger::LedgerLine;
use crate::metrics::RunOutput;
use crate::plan::{CompiledPlan, NO_RANK};
use arrow_array::types::{ArrowPrimitiveType, Int32Type, UInt32Type};
use arrow_array::{
    ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int32Array, Int64Array, PrimitiveArray,
    RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Schema};
use std::sync::Arc;

fn money(v: impl IntoIterator<Item = i64>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from_iter_values(v.into_iter().map(|x| x as i128))
            .with_precision_and_scale(18, 2)
            .expect("valid decimal type"),
    )
}

fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| {
            Field::new(
                *n,
                a.data_type().clone(),
                a.null_count() > 0 || matches!(a.data_type(), DataType::Null),
            )
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    RecordBatch::try_new(schema, cols.into_iter().map(|(_, a)| a).collect())
        .expect("columns of equal length")
}

/// Who receives a bonus: `"host"` for host rewards (party hosts, who are customers; the
/// line is booked to the party's distributor), `"distributor"` for everything else.
pub fn paid_to(b: &crate::plan::Bonus) -> &'static str {
    if b.paid_to_host() {
        "host"
    } else {
        "distributor"
    }
}

/// One row per (run, month).
pub fn monthly_batch(runs: &[RunOutput]) -> RecordBatch {
    let rows = || {
        runs.iter()
            .flat_map(|r| r.monthly.iter().map(move |m| (r.run, m)))
    };
    let ratio = |p: i64, v: i64| if v > 0 { p as f64 / v as f64 } else { 0.0 };
    let mut cols: Vec<(&str, ArrayRef)> = vec![
        (
            "run",
            Arc::new(UInt32Array::from_iter_values(rows().map(|(r, _)| r))),
        ),
        (
            "month",
            Arc::new(Int32Array::from_iter_values(
                rows().map(|(_, m)| m.month as i32),
            )),
        ),
        (
            "active",
            Arc::new(UInt32Array::from_iter_values(rows().map(|(_, m)| m.active))),
        ),
        (
            "joined",
            Arc::new(UInt32Array::from_iter_values(rows().map(|(_, m)| m.joined))),
        ),
        (
            "quit",
            Arc::new(UInt32Array::from_iter_values(rows().map(|(_, m)| m.quit))),
        ),
        (
            "qualified",
            Arc::new(UInt32Array::from_iter_values(
                rows().map(|(_, m)| m.qualified),
            )),
        ),
        ("volume", money(rows().map(|(_, m)| m.volume))),
        ("retail_volume", money(rows().map(|(_, m)| m.retail_volume))),
        (
            "preferred_volume",
            money(rows().map(|(_, m)| m.preferred_volume)),
        ),
        ("party_volume", money(rows().map(|(_, m)| m.party_volume))),
        ("volume_value", money(rows().map(|(_, m)| m.volume_value))),
        ("payout", money(rows().map(|(_, m)| m.payout))),
        (
            "payout_before_cap",
            money(rows().map(|(_, m)| m.payout_before_cap)),
        ),
        ("retail_profit", money(rows().map(|(_, m)| m.retail_profit))),
        ("host_rewards", money(rows().map(|(_, m)| m.host_rewards))),
        (
            "payout_ratio",
            Arc::new(Float64Array::from_iter_values(
                rows().map(|(_, m)| ratio(m.payout, m.volume_value)),
            )),
        ),
        (
            "payout_from_retail",
            money(rows().map(|(_, m)| m.sources.retail)),
        ),
        (
            "payout_from_preferred",
            money(rows().map(|(_, m)| m.sources.preferred)),
        ),
        (
            "payout_from_party",
            money(rows().map(|(_, m)| m.sources.party)),
        ),
        ("payout_from_own", money(rows().map(|(_, m)| m.sources.own))),
        (
            "payout_from_downline",
            money(rows().map(|(_, m)| m.sources.downline)),
        ),
        ("payout_other", money(rows().map(|(_, m)| m.sources.other))),
        (
            "payout_if_all_qualified",
            money(rows().map(|(_, m)| m.potential)),
        ),
        (
            "breakage",
            money(rows().map(|(_, m)| m.potential - m.payout)),
        ),
    ];
    // Stock movements, with the scenario's `[inventory]`.
    if runs
        .iter()
        .any(|r| r.monthly.iter().any(|m| m.stock.is_some()))
    {
        type Field = fn(&crate::simulation::inventory::StockMonth) -> i64;
        let fields: [(&str, Field); 7] = [
            ("packages", |s| s.packages),
            ("stock_added", |s| s.added),
            ("sold_from_stock", |s| s.sold),
            ("returns", |s| s.returned),
            ("refunds", |s| s.refunds),
            ("chargebacks", |s| s.chargebacks),
            ("stock_held", |s| s.held),
        ];
        for (name, f) in fields {
            cols.push((
                name,
                money(rows().map(move |(_, m)| m.stock.as_ref().map_or(0, f))),
            ));
        }
    }
    batch(cols)
}

/// One row per (run, month, bonus).
pub fn bonus_batch(plan: &CompiledPlan, runs: &[RunOutput]) -> RecordBatch {
    let rows = || {
        runs.iter().flat_map(|r| {
            r.monthly.iter().flat_map(move |m| {
                m.by_bonus
                    .iter()
                    .enumerate()
                    .map(move |(b, &a)| (r.run, m.month, b, a))
            })
        })
    };
    batch(vec![
        (
            "run",
            Arc::new(UInt32Array::from_iter_values(rows().map(|x| x.0))),
        ),
        (
            "month",
            Arc::new(Int32Array::from_iter_values(rows().map(|x| x.1 as i32))),
        ),
        (
            "bonus",
            Arc::new(StringArray::from(
                rows().map(|x| plan.bonuses[x.2].name()).collect::<Vec<_>>(),
            )),
        ),
        (
            "paid_by_company",
            Arc::new(BooleanArray::from_iter(
                rows().map(|x| Some(plan.bonuses[x.2].paid_by_company())),
            )),
        ),
        (
            "paid_to",
            Arc::new(StringArray::from(
                rows()
                    .map(|x| paid_to(&plan.bonuses[x.2]))
                    .collect::<Vec<_>>(),
            )),
        ),
        ("amount", money(rows().map(|x| x.3))),
    ])
}

/// One row per (run, month, rank): how many distributors were paid as the rank.
pub fn rank_batch(plan: &CompiledPlan, runs: &[RunOutput]) -> RecordBatch {
    let rows = || {
        runs.iter().flat_map(|r| {
            r.monthly.iter().flat_map(move |m| {
                m.rank_counts
                    .iter()
                    .enumerate()
                    .map(move |(k, &c)| (r.run, m.month, k, c))
            })
        })
    };
    batch(vec![
        (
            "run",
            Arc::new(UInt32Array::from_iter_values(rows().map(|x| x.0))),
        ),
        (
            "month",
            Arc::new(Int32Array::from_iter_values(rows().map(|x| x.1 as i32))),
        ),
        (
            "rank",
            Arc::new(StringArray::from(
                rows()
                    .map(|x| plan.ranks[x.2].name.as_str())
                    .collect::<Vec<_>>(),
            )),
        ),
        (
            "rank_index",
            Arc::new(UInt32Array::from_iter_values(rows().map(|x| x.2 as u32))),
        ),
        (
            "count",
            Arc::new(UInt32Array::from_iter_values(rows().map(|x| x.3))),
        ),
    ])
}

/// One row per run: the headline figures.
pub fn runs_batch(runs: &[RunOutput]) -> RecordBatch {
    let s = || runs.iter().map(|r| &r.summary);
    let f = |g: fn(&crate::metrics::RunSummary) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(s().map(g)))
    };
    batch(vec![
        (
            "run",
            Arc::new(UInt32Array::from_iter_values(runs.iter().map(|r| r.run))),
        ),
        (
            "ever_joined",
            Arc::new(UInt64Array::from_iter_values(s().map(|x| x.ever_joined))),
        ),
        (
            "active_end",
            Arc::new(UInt64Array::from_iter_values(s().map(|x| x.active_end))),
        ),
        ("volume_value", money(s().map(|x| x.volume_value))),
        ("payout", money(s().map(|x| x.payout))),
        ("payout_ratio", f(|x| x.payout_ratio)),
        ("capped", money(s().map(|x| x.capped))),
        ("retail_profit", money(s().map(|x| x.retail_profit))),
        ("host_rewards", money(s().map(|x| x.host_rewards))),
        ("mean_earnings", f(|x| x.mean_earnings / 100.0)),
        ("median_earnings", f(|x| x.median_earnings / 100.0)),
        ("share_earning_nothing", f(|x| x.share_earning_nothing)),
        ("share_net_loss", f(|x| x.share_net_loss)),
        ("top1_share", f(|x| x.top1_share)),
    ])
}

/// One row per (run, distributor) for the runs that kept their table.
pub fn distributor_batch(plan: &CompiledPlan, runs: &[RunOutput]) -> RecordBatch {
    let kept: Vec<(u32, &crate::metrics::DistributorTable)> = runs
        .iter()
        .filter_map(|r| r.distributors.as_ref().map(|d| (r.run, d)))
        .collect();
    let total: usize = kept.iter().map(|(_, d)| d.sponsor.len()).sum();
    // Every column is built in one allocation of its length: the runs' values chained
    // do not tell their count, and growing by doubling copied each column and faulted
    // its pages in again (a fifth of the reference workload's time).
    let all = |g: fn(&crate::metrics::DistributorTable) -> &Vec<i64>| {
        if kept.iter().all(|(_, d)| g(d).iter().all(|&x| x == 0)) {
            // A column of zeros (no customers, no parties, no required purchases): asked
            // of the system as zeroed memory, whose pages are not even touched until read.
            return money_of(vec![0; total]);
        }
        money_of(exact(
            total,
            kept.iter()
                .flat_map(move |(_, d)| g(d).iter().map(|&x| x as i128)),
        ))
    };
    let u32s = |g: fn(&crate::metrics::DistributorTable) -> &Vec<u32>| -> ArrayRef {
        Arc::new(UInt32Array::from(exact(
            total,
            kept.iter().flat_map(move |(_, d)| g(d).iter().copied()),
        )))
    };
    let run = exact(
        total,
        kept.iter()
            .flat_map(|(r, d)| std::iter::repeat_n(*r, d.sponsor.len())),
    );
    let id = exact(
        total,
        kept.iter().flat_map(|(_, d)| 0..d.sponsor.len() as u32),
    );
    let mut cols: Vec<(&str, ArrayRef)> = vec![
        ("run", Arc::new(UInt32Array::from(run))),
        ("id", Arc::new(UInt32Array::from(id))),
        (
            "sponsor",
            Arc::new(nullable::<UInt32Type>(
                total,
                kept.iter()
                    .flat_map(|(_, d)| d.sponsor.iter().map(|&s| (s != NO_SPONSOR).then_some(s))),
            )),
        ),
        (
            "join_month",
            Arc::new(Int32Array::from(exact(
                total,
                kept.iter()
                    .flat_map(|(_, d)| d.join_month.iter().map(|&j| j as i32)),
            ))),
        ),
        (
            "quit_month",
            Arc::new(nullable::<Int32Type>(
                total,
                kept.iter().flat_map(|(_, d)| {
                    d.quit_month
                        .iter()
                        .map(|&q| (q != NEVER).then_some(q as i32))
                }),
            )),
        ),
        ("recruits", u32s(|d| &d.recruits)),
        (
            "max_rank",
            Arc::new(StringArray::from(exact(
                total,
                kept.iter().flat_map(|(_, d)| {
                    d.max_rank
                        .iter()
                        .map(|&r| (r != NO_RANK).then(|| plan.ranks[r as usize].name.as_str()))
                }),
            ))),
        ),
        ("earnings", all(|d| &d.earnings)),
        ("retail_profit", all(|d| &d.retail_profit)),
        ("fees", all(|d| &d.fees)),
        ("purchases", all(|d| &d.purchases)),
        ("expenses", all(|d| &d.expenses)),
        ("months_active", u32s(|d| &d.months_active)),
        ("own_volume", all(|d| &d.own_volume)),
        ("customer_volume", all(|d| &d.customer_volume)),
        ("preferred_volume", all(|d| &d.preferred_volume)),
        ("party_volume", all(|d| &d.party_volume)),
        ("required_purchases", all(|d| &d.required_purchases)),
        ("qualifying_purchases", all(|d| &d.qualifying_purchases)),
    ];
    if kept.iter().any(|(_, d)| d.stock.is_some()) {
        type Field = fn(&crate::simulation::inventory::StockTable) -> &Vec<i64>;
        let fields: [(&str, Field); 8] = [
            ("stock", |t| &t.stock),
            ("package", |t| &t.package),
            ("stock_bought", |t| &t.stock_bought),
            ("consumed", |t| &t.consumed),
            ("sold_from_stock", |t| &t.sold_from_stock),
            ("bought_back", |t| &t.bought_back),
            ("refunds", |t| &t.refunds),
            ("chargebacks", |t| &t.chargebacks),
        ];
        for (name, f) in fields {
            cols.push((
                name,
                money_of(exact(
                    total,
                    kept.iter().flat_map(move |(_, d)| {
                        let n = d.sponsor.len();
                        (0..n).map(move |i| d.stock.as_ref().map_or(0, |t| f(t)[i]) as i128)
                    }),
                )),
            ));
        }
    }
    batch(cols)
}

/// The `total` values of `values` in a vector allocated once.
fn exact<T>(total: usize, values: impl Iterator<Item = T>) -> Vec<T> {
    let mut v = Vec::with_capacity(total);
    v.extend(values);
    debug_assert_eq!(v.len(), total);
    v
}

/// A money column of cents (see [`money`]), from a vector.
fn money_of(cents: Vec<i128>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(cents)
            .with_precision_and_scale(18, 2)
            .expect("valid decimal type"),
    )
}

/// A column of `total` values, some missing, allocated once.
fn nullable<T: ArrowPrimitiveType>(
    total: usize,
    values: impl Iterator<Item = Option<T::Native>>,
) -> PrimitiveArray<T> {
    let (mut v, mut valid) = (Vec::with_capacity(total), Vec::with_capacity(total));
    for x in values {
        v.push(x.unwrap_or_default());
        valid.push(x.is_some());
    }
    PrimitiveArray::new(v.into(), Some(NullBuffer::from(valid)))
}

/// The ledger of `compute_commissions`: month, id, bonus, paid_by_company, paid_to, amount.
pub fn ledger_batch(plan: &CompiledPlan, lines: &[LedgerLine]) -> RecordBatch {
    batch(vec![
        (
            "month",
            Arc::new(Int64Array::from_iter_values(lines.iter().map(|l| l.month))),
        ),
        (
            "id",
            Arc::new(Int64Array::from_iter_values(lines.iter().map(|l| l.id))),
        ),
        (
            "bonus",
            Arc::new(StringArray::from(
                lines
                    .iter()
                    .map(|l| plan.bonuses[l.bonus].name())
                    .collect::<Vec<_>>(),
            )),
        ),
        (
            "paid_by_company",
            Arc::new(BooleanArray::from_iter(
                lines
                    .iter()
                    .map(|l| Some(plan.bonuses[l.bonus].paid_by_company())),
            )),
        ),
        (
            "paid_to",
            Arc::new(StringArray::from(
                lines
                    .iter()
                    .map(|l| paid_to(&plan.bonuses[l.bonus]))
                    .collect::<Vec<_>>(),
            )),
        ),
        ("amount", money(lines.iter().map(|l| l.amount))),
    ])
}
