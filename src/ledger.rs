//! `compute_commissions`: the deterministic engine on a downline and volumes you give it.
//!
//! The same [`PlanEngine`] as the simulation, so a hand-worked case, a client's real
//! month and a simulated month are paid by one set of rules.

use crate::engine::{MonthInput, Party, PlanEngine};
use crate::error::{Error, Result};
use crate::money::{MAX_MONTH_VALUE_CENTS, MAX_MONTH_VOLUME, MAX_RUN_VOLUME};
use crate::plan::CompiledPlan;
use std::collections::HashMap;

/// One distributor of a given tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    /// The distributor's id (any integer, unique).
    pub id: i64,
    /// The sponsor's id, or `None` for a founder.
    pub sponsor: Option<i64>,
    /// Month of joining.
    pub join_month: i64,
    /// First month no longer participating, if the person quit.
    pub quit_month: Option<i64>,
}

/// Where one distributor sits in the placement tree (binary or forced matrix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementRow {
    /// The distributor's id.
    pub id: i64,
    /// The placement parent's id, or `None` for the top of a placement tree.
    pub parent: Option<i64>,
    /// The slot of the parent: binary 0 left, 1 right; matrix 0 to width − 1; `None` for
    /// the first open one (left first) when the distributor is placed, in join order.
    pub leg: Option<i64>,
}

/// Volume of one distributor in one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeRow {
    /// Distributor id.
    pub id: i64,
    /// Month.
    pub month: i64,
    /// Personal volume (hundredths of a point), retail and preferred customers' volume
    /// included, party sales not (they come from the parties).
    pub pv: i64,
    /// The part of `pv` from retail customers (hundredths of a point).
    pub retail: i64,
    /// The part of `pv` from preferred customers (hundredths of a point).
    pub preferred: i64,
}

/// One party of a party plan: its sales count as volume of the distributor who held it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyRow {
    /// The id of the distributor who held the party.
    pub id: i64,
    /// Month.
    pub month: i64,
    /// The party's sales (hundredths of a point).
    pub pv: i64,
}

/// A paid-as rank given for one distributor in one month (a held or forced rank from a
/// company's records): it replaces the plan's evaluation for that month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankRow {
    /// Distributor id.
    pub id: i64,
    /// Month.
    pub month: i64,
    /// The rank's name.
    pub rank: String,
}

/// The title (highest rank reached) a distributor holds before the first month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TitleRow {
    /// Distributor id.
    pub id: i64,
    /// The rank's name.
    pub title: String,
}

/// Everything `compute_commissions` can be given besides the plan.
#[derive(Clone, Copy, Debug, Default)]
pub struct LedgerInput<'a> {
    /// The sponsor tree, one row per distributor.
    pub tree: &'a [TreeRow],
    /// The placement tree (`None`: placed by the plan's rule).
    pub placement: Option<&'a [PlacementRow]>,
    /// Volumes, one row per distributor and month with volume.
    pub volumes: &'a [VolumeRow],
    /// Parties of a party plan.
    pub parties: &'a [PartyRow],
    /// Paid-as ranks given for some distributors in some months.
    pub ranks: &'a [RankRow],
    /// Titles held before the first month.
    pub titles: &'a [TitleRow],
}

/// One ledger line: what one bonus pays one distributor in one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerLine {
    /// Month.
    pub month: i64,
    /// Distributor id.
    pub id: i64,
    /// Index of the bonus in the plan.
    pub bonus: usize,
    /// Amount in cents (after the cap).
    pub amount: i64,
}

const MAX_MONTH: i64 = 60_000;

/// The most volume one row may hold (a distributor's month, a party), hundredths of a
/// point: 1,000,000,000,000 points.
pub const MAX_ROW_VOLUME: i64 = 100_000_000_000_000;
/// The most distributors a ledger may hold (as many as a simulation may grow).
pub const MAX_DISTRIBUTORS: usize = 50_000_000;

/// Refuse a volume of row `row` of `table` above [`MAX_ROW_VOLUME`].
fn check_row_volume(table: &str, row: usize, id: i64, column: &str, v: i64) -> Result<()> {
    if v > MAX_ROW_VOLUME {
        return Err(Error::Input(format!(
            "{table} row {row}: id {id}: {column} {} is above 1,000,000,000,000 points, the most one row may hold",
            crate::money::Volume(v).to_decimal()
        )));
    }
    Ok(())
}

/// Pay `plan` over a given tree and volumes, month by month from the first join month to
/// the last month with volume. Returns the non-zero lines ordered by month, id, bonus.
pub fn compute_commissions(
    plan: &CompiledPlan,
    tree: &[TreeRow],
    volumes: &[VolumeRow],
) -> Result<Vec<LedgerLine>> {
    compute_commissions_placed(plan, tree, None, volumes)
}

/// [`compute_commissions`] with the placement tree given: one row per distributor of
/// the tree (`None`: placed by the plan's rule, as in the simulation). A placement
/// parent must come before its child in join order (join month, then sponsor depth).
pub fn compute_commissions_placed(
    plan: &CompiledPlan,
    tree: &[TreeRow],
    placement: Option<&[PlacementRow]>,
    volumes: &[VolumeRow],
) -> Result<Vec<LedgerLine>> {
    compute_commissions_with_parties(plan, tree, placement, volumes, &[])
}

/// [`compute_commissions_placed`] with the parties of a party plan: one row per party.
pub fn compute_commissions_with_parties(
    plan: &CompiledPlan,
    tree: &[TreeRow],
    placement: Option<&[PlacementRow]>,
    volumes: &[VolumeRow],
    parties: &[PartyRow],
) -> Result<Vec<LedgerLine>> {
    compute_ledger(
        plan,
        &LedgerInput {
            tree,
            placement,
            volumes,
            parties,
            ..Default::default()
        },
    )
}

/// Pay `plan` over everything given in `input` (see [`LedgerInput`]), month by month
/// from the first join month to the last month with volume, a party or a given rank.
/// Returns the non-zero lines ordered by month, id, bonus.
pub fn compute_ledger(plan: &CompiledPlan, input: &LedgerInput) -> Result<Vec<LedgerLine>> {
    let LedgerInput {
        tree,
        placement,
        volumes,
        parties,
        ranks,
        titles,
    } = *input;
    let n = tree.len();
    if n == 0 {
        return Ok(vec![]);
    }
    if n > MAX_DISTRIBUTORS {
        return Err(Error::Input(format!(
            "tree: {n} distributors; at most {MAX_DISTRIBUTORS}"
        )));
    }
    let mut pos: HashMap<i64, usize> = HashMap::with_capacity(n);
    for (k, r) in tree.iter().enumerate() {
        if pos.insert(r.id, k).is_some() {
            return Err(Error::Input(format!(
                "tree: id {} appears more than once",
                r.id
            )));
        }
        if !(0..=MAX_MONTH).contains(&r.join_month) {
            return Err(Error::Input(format!(
                "tree: id {}: join_month {} is outside 0 to {MAX_MONTH}",
                r.id, r.join_month
            )));
        }
        if let Some(q) = r.quit_month {
            if q <= r.join_month || q > MAX_MONTH + 1 {
                return Err(Error::Input(format!(
                    "tree: id {}: quit_month {q} must be after join_month {}",
                    r.id, r.join_month
                )));
            }
        }
    }
    // Parent of each row, checked; then depth (detects cycles).
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(n);
    for r in tree {
        match r.sponsor {
            None => parent.push(None),
            Some(s) => {
                let p = *pos.get(&s).ok_or_else(|| {
                    Error::Input(format!(
                        "tree: the sponsor {s} of id {} is not in the tree",
                        r.id
                    ))
                })?;
                if tree[p].join_month > r.join_month {
                    return Err(Error::Input(format!(
                        "tree: id {} joined in month {}, before its sponsor {s} (month {})",
                        r.id, r.join_month, tree[p].join_month
                    )));
                }
                parent.push(Some(p));
            }
        }
    }
    let mut depth: Vec<i64> = vec![-1; n];
    for start in 0..n {
        let mut path = vec![];
        let mut k = start;
        while depth[k] < 0 {
            if path.len() > n {
                return Err(Error::Input(format!(
                    "tree: the sponsors of id {} form a cycle",
                    tree[start].id
                )));
            }
            path.push(k);
            match parent[k] {
                None => {
                    depth[k] = 0;
                    path.pop();
                    break;
                }
                Some(p) => k = p,
            }
        }
        let mut d = depth[k];
        while let Some(j) = path.pop() {
            d += 1;
            depth[j] = d;
        }
    }
    // Join order: by join month, then depth (a sponsor before its recruits).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&k| (tree[k].join_month, depth[k], k));
    let mut index = vec![0u32; n];
    for (i, &k) in order.iter().enumerate() {
        index[k] = i as u32;
    }
    let sponsor: Vec<u32> = order
        .iter()
        .map(|&k| {
            parent[k]
                .map(|p| index[p])
                .unwrap_or(crate::downline::NO_SPONSOR)
        })
        .collect();
    let join: Vec<u16> = order.iter().map(|&k| tree[k].join_month as u16).collect();
    let quit: Vec<i64> = order
        .iter()
        .map(|&k| tree[k].quit_month.unwrap_or(i64::MAX))
        .collect();

    // The given placement, checked, by join order.
    let placed = match placement {
        None => None,
        Some(rows) => Some(check_placement(plan, tree, rows, &pos, &index)?),
    };

    // Volumes by month.
    let mut by_month: std::collections::BTreeMap<i64, Vec<(u32, i64, i64, i64)>> =
        Default::default();
    let mut seen: HashMap<(i64, i64), ()> = HashMap::with_capacity(volumes.len());
    for (row, v) in volumes.iter().enumerate() {
        let k = participant_in_month(tree, &pos, "volumes", row, v.id, v.month, "has volume")?;
        if v.pv < 0 || v.retail < 0 || v.preferred < 0 {
            return Err(Error::Input(format!(
                "volumes row {row}: id {}: volume is negative",
                v.id
            )));
        }
        check_row_volume("volumes", row, v.id, "retail", v.retail)?;
        check_row_volume("volumes", row, v.id, "preferred", v.preferred)?;
        check_row_volume("volumes", row, v.id, "pv", v.pv)?;
        if v.retail + v.preferred > v.pv {
            let dec = |x: i64| crate::money::Volume(x).to_decimal();
            let (parts, of) = if v.preferred == 0 {
                (format!("retail {}", dec(v.retail)), "retail volume")
            } else {
                let r = dec(v.retail);
                (
                    format!("retail {r} + preferred {}", dec(v.preferred)),
                    "customers' volume",
                )
            };
            return Err(Error::Input(format!(
                "volumes row {row}: id {}: {parts} is more than pv {}; pv includes {of}",
                v.id,
                dec(v.pv)
            )));
        }
        if seen.insert((v.id, v.month), ()).is_some() {
            return Err(Error::Input(format!(
                "volumes row {row}: id {} has more than one row for month {}",
                v.id, v.month
            )));
        }
        by_month.entry(v.month).or_default().push((
            index[k],
            v.pv - v.retail - v.preferred,
            v.retail,
            v.preferred,
        ));
    }
    // Parties by month.
    let mut parties_by_month: std::collections::BTreeMap<i64, Vec<Party>> = Default::default();
    for (row, p) in parties.iter().enumerate() {
        let k = participant_in_month(tree, &pos, "parties", row, p.id, p.month, "held a party")?;
        if p.pv < 0 {
            return Err(Error::Input(format!(
                "parties row {row}: id {}: the party's sales are negative",
                p.id
            )));
        }
        check_row_volume("parties", row, p.id, "pv", p.pv)?;
        parties_by_month.entry(p.month).or_default().push(Party {
            distributor: index[k],
            pv: p.pv,
        });
    }
    // Given ranks by month, and titles as of the start.
    let rank_of = |name: &str, what: String| -> Result<u8> {
        plan.ranks
            .iter()
            .position(|r| r.name == name)
            .map(|k| k as u8)
            .ok_or_else(|| {
                let names: Vec<&str> = plan.ranks.iter().map(|r| r.name.as_str()).collect();
                Error::Input(format!(
                    "{what}: {name:?} is not a rank of the plan; the ranks are {names:?}"
                ))
            })
    };
    let mut ranks_by_month: std::collections::BTreeMap<i64, Vec<(u32, u8)>> = Default::default();
    let mut seen_rank: HashMap<(i64, i64), ()> = HashMap::with_capacity(ranks.len());
    for (row, r) in ranks.iter().enumerate() {
        let k = participant_in_month(tree, &pos, "ranks", row, r.id, r.month, "has a rank")?;
        let rank = rank_of(&r.rank, format!("ranks row {row}: id {}", r.id))?;
        if seen_rank.insert((r.id, r.month), ()).is_some() {
            return Err(Error::Input(format!(
                "ranks row {row}: id {} has more than one rank for month {}",
                r.id, r.month
            )));
        }
        ranks_by_month
            .entry(r.month)
            .or_default()
            .push((index[k], rank));
    }
    let mut start_titles = vec![crate::plan::NO_RANK; n];
    for (row, t) in titles.iter().enumerate() {
        let k = *pos.get(&t.id).ok_or_else(|| {
            Error::Input(format!("titles row {row}: id {} is not in the tree", t.id))
        })?;
        let slot = &mut start_titles[index[k] as usize];
        if *slot != crate::plan::NO_RANK {
            return Err(Error::Input(format!(
                "titles row {row}: id {} has more than one title",
                t.id
            )));
        }
        *slot = rank_of(&t.title, format!("titles row {row}: id {}", t.id))?;
    }
    // Each month's volume: at most MAX_MONTH_VOLUME, worth at most MAX_MONTH_VALUE_CENTS;
    // all months together at most MAX_RUN_VOLUME (and worth as much in cents). Then the
    // engine's sums fit 64 bits and it checks what the bonuses pay (see `try_run_month`).
    let mut month_volume: std::collections::BTreeMap<i64, i128> = Default::default();
    for (&m, rows) in &by_month {
        *month_volume.entry(m).or_default() += rows
            .iter()
            .map(|&(_, o, r, f)| (o + r + f) as i128)
            .sum::<i128>();
    }
    for (&m, parties) in &parties_by_month {
        *month_volume.entry(m).or_default() += parties.iter().map(|p| p.pv as i128).sum::<i128>();
    }
    let value = |v: i128| v * plan.point_value as i128 / crate::money::RATE_ONE as i128;
    let all: i128 = month_volume.values().sum();
    if all > MAX_RUN_VOLUME as i128 || value(all) > MAX_RUN_VOLUME as i128 {
        return Err(Error::Input(format!(
            "the volume of all months together, {} points, is above {} points or worth more than {}, the most a ledger may hold",
            crate::money::Volume(all.min(i64::MAX as i128) as i64).to_decimal(),
            crate::money::Volume(MAX_RUN_VOLUME).to_decimal(),
            crate::money::Money(MAX_RUN_VOLUME).to_decimal(),
        )));
    }
    for (&m, &v) in &month_volume {
        if v > MAX_MONTH_VOLUME as i128 {
            return Err(Error::Input(format!(
                "month {m}: the month's volume, {} points, is above 100,000,000,000,000 points, the most a month may hold",
                crate::money::Volume(v.min(i64::MAX as i128) as i64).to_decimal()
            )));
        }
        if value(v) > MAX_MONTH_VALUE_CENTS as i128 {
            return Err(Error::Input(format!(
                "month {m}: the month's volume, {} points, is worth more than 100,000,000,000,000, the most a month may be",
                crate::money::Volume(v.min(i64::MAX as i128) as i64).to_decimal()
            )));
        }
    }
    let first = tree.iter().map(|r| r.join_month).min().unwrap_or(0);
    let last = by_month
        .keys()
        .next_back()
        .copied()
        .unwrap_or(first)
        .max(first)
        .max(
            parties_by_month
                .keys()
                .next_back()
                .copied()
                .unwrap_or(first),
        )
        .max(ranks_by_month.keys().next_back().copied().unwrap_or(first));

    let mut engine = PlanEngine::new(plan);
    if let Some((parent, leg)) = placed {
        engine.set_placement(parent, leg);
    }
    if !titles.is_empty() {
        engine.set_titles(&start_titles);
    }
    let mut given = vec![crate::plan::NO_RANK; n];
    let mut own = vec![0i64; n];
    let mut retail = vec![0i64; n];
    let mut preferred = vec![0i64; n];
    let mut participating = vec![false; n];
    let mut lines = Vec::new();
    // Months in which something happens: volume, a party, a given rank, someone joining or
    // quitting. A month after a month in which nothing happened is that month again —
    // no volume, the same people, ranks already reached — so it is skipped, when the plan
    // keeps no state that changes with the months themselves (windows, grace, periods of
    // accumulated volume, binary carry that ages, allowances for months held).
    let stateless = plan.window_months == 1
        && plan.pv_windows.is_empty()
        && plan.gv_windows.is_empty()
        && plan.grace_months == 0
        && plan.accumulation_months == 0
        && !plan.bonuses.iter().any(|b| {
            matches!(
                b,
                crate::plan::Bonus::Binary { .. } | crate::plan::Bonus::Allowance { .. }
            )
        });
    let mut events: std::collections::BTreeSet<i64> = by_month
        .keys()
        .chain(parties_by_month.keys())
        .chain(ranks_by_month.keys())
        .copied()
        .collect();
    events.extend(tree.iter().map(|r| r.join_month));
    events.extend(tree.iter().filter_map(|r| r.quit_month));
    let mut month = first;
    while month <= last {
        if stateless && month > first && !events.contains(&(month - 1)) {
            // The month before was an empty one, and so is every month up to the next
            // event: jump there.
            match events.range(month..).next() {
                Some(&next) => month = next,
                None => break,
            }
            if month > last {
                break;
            }
        }
        let next_month = month + 1;
        // Only those who have joined by this month are in the month's tree.
        let count = join.partition_point(|&j| (j as i64) <= month);
        own.fill(0);
        retail.fill(0);
        preferred.fill(0);
        for i in 0..count {
            participating[i] = month < quit[i];
        }
        if let Some(rows) = by_month.get(&month) {
            for &(i, o, r, f) in rows {
                own[i as usize] = o;
                retail[i as usize] = r;
                preferred[i as usize] = f;
            }
        }
        if let Some(rows) = ranks_by_month.get(&month) {
            given[..count].fill(crate::plan::NO_RANK);
            for &(i, r) in rows {
                given[i as usize] = r;
            }
            engine.give_ranks(&given[..count]);
        }
        let input = MonthInput {
            month: month as u16,
            sponsor: &sponsor[..count],
            join_month: &join[..count],
            participating: &participating[..count],
            own_pv: &own[..count],
            retail_pv: &retail[..count],
            preferred_pv: &preferred[..count],
            parties: parties_by_month.get(&month).map_or(&[], |p| p.as_slice()),
        };
        engine.try_run_month(&input)?;
        let mut month_lines = vec![];
        for (b, amounts) in engine.amounts.iter().enumerate() {
            for (i, &a) in amounts[..count].iter().enumerate() {
                if a != 0 {
                    month_lines.push(LedgerLine {
                        month,
                        id: tree[order[i]].id,
                        bonus: b,
                        amount: a,
                    });
                }
            }
        }
        month_lines.sort_by_key(|l| (l.id, l.bonus));
        lines.extend(month_lines);
        month = next_month;
    }
    Ok(lines)
}

/// The tree row of `id`, checked to participate in `month` (for row `row` of `table`).
fn participant_in_month(
    tree: &[TreeRow],
    pos: &HashMap<i64, usize>,
    table: &str,
    row: usize,
    id: i64,
    month: i64,
    what: &str,
) -> Result<usize> {
    let k = *pos
        .get(&id)
        .ok_or_else(|| Error::Input(format!("{table} row {row}: id {id} is not in the tree")))?;
    let t = &tree[k];
    if month < t.join_month || t.quit_month.is_some_and(|q| month >= q) {
        return Err(Error::Input(format!(
            "{table} row {row}: id {id} {what} in month {month}, when it does not participate"
        )));
    }
    if month > MAX_MONTH {
        return Err(Error::Input(format!(
            "{table} row {row}: month {month} is above {MAX_MONTH}"
        )));
    }
    Ok(k)
}

/// Check a given placement; returns the placement parent and leg of each distributor by
/// join order (`index[row]`).
fn check_placement(
    plan: &CompiledPlan,
    tree: &[TreeRow],
    rows: &[PlacementRow],
    pos: &HashMap<i64, usize>,
    index: &[u32],
) -> Result<(Vec<u32>, Vec<u8>)> {
    use crate::engine::placement::NONE;
    let width = match plan.placement {
        crate::plan::Placement::None => {
            return Err(Error::Input(
                "placement: the plan has no placement tree ([placement] kind = \"binary\" or \"matrix\")"
                    .into(),
            ))
        }
        crate::plan::Placement::Binary(_) => 2,
        crate::plan::Placement::Matrix { width, .. } => width as usize,
    };
    let slot_name = |l: usize| -> String {
        match (width, l) {
            (2, 0) => "left leg".into(),
            (2, _) => "right leg".into(),
            _ => format!("slot {l}"),
        }
    };
    let n = tree.len();
    // (parent, leg) by join order; u8::MAX: first open leg.
    let mut given: Vec<Option<(u32, u8)>> = vec![None; n];
    let mut has_row = vec![false; n];
    for (row, r) in rows.iter().enumerate() {
        let k = *pos.get(&r.id).ok_or_else(|| {
            Error::Input(format!(
                "placement row {row}: id {} is not in the tree",
                r.id
            ))
        })?;
        if std::mem::replace(&mut has_row[k], true) {
            return Err(Error::Input(format!(
                "placement row {row}: id {} has more than one placement",
                r.id
            )));
        }
        let leg = match r.leg {
            None => u8::MAX,
            Some(l) if (0..width as i64).contains(&l) => l as u8,
            Some(l) if width == 2 => {
                return Err(Error::Input(format!(
                    "placement row {row}: id {}: leg {l} is not 0 (left) or 1 (right)",
                    r.id
                )))
            }
            Some(l) => {
                return Err(Error::Input(format!(
                "placement row {row}: id {}: leg {l} is outside 0 to {} (the matrix width less 1)",
                r.id,
                width - 1
            )))
            }
        };
        match r.parent {
            None => {
                if r.leg.is_some() {
                    return Err(Error::Input(format!(
                        "placement row {row}: id {} has a leg but no placement parent",
                        r.id
                    )));
                }
            }
            Some(p) => {
                let pk = *pos.get(&p).ok_or_else(|| {
                    Error::Input(format!(
                        "placement row {row}: the placement parent {p} of id {} is not in the tree",
                        r.id
                    ))
                })?;
                if index[pk] >= index[k] {
                    return Err(Error::Input(format!(
                        "placement row {row}: the placement parent {p} of id {} does not come before it (join month, then sponsor depth)",
                        r.id
                    )));
                }
                given[index[k] as usize] = Some((index[pk], leg));
            }
        }
    }
    if let Some(k) = has_row.iter().position(|&h| !h) {
        return Err(Error::Input(format!(
            "placement: id {} has no placement row; give one row per distributor",
            tree[k].id
        )));
    }
    let mut child = vec![false; width * n];
    let mut parent = vec![NONE; n];
    let mut legs = vec![0u8; n];
    for (i, g) in given.iter().enumerate() {
        if let Some((p, l)) = *g {
            let l = if l == u8::MAX {
                match (0..width).find(|&x| !child[width * p as usize + x]) {
                    Some(x) => x as u8,
                    None => {
                        return Err(Error::Input(format!(
                            "placement: every slot of {} is taken before {} is placed",
                            tree_id(tree, index, p),
                            tree_id(tree, index, i as u32)
                        )))
                    }
                }
            } else {
                l
            };
            let slot = &mut child[width * p as usize + l as usize];
            if *slot {
                return Err(Error::Input(format!(
                    "placement: the {} of {} is given twice (id {})",
                    slot_name(l as usize),
                    tree_id(tree, index, p),
                    tree_id(tree, index, i as u32)
                )));
            }
            *slot = true;
            parent[i] = p;
            legs[i] = l;
        }
    }
    Ok((parent, legs))
}

/// The id of the distributor at join-order position `i`.
fn tree_id(tree: &[TreeRow], index: &[u32], i: u32) -> i64 {
    let k = index.iter().position(|&x| x == i).unwrap_or(0);
    tree[k].id
}
