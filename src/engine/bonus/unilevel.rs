//! Unilevel: a rate on the PV of every distributor `k` levels below, by paid-as rank.
//!
//! Level volumes are computed as level sums, one pass per level over the sponsor array
//! (`level[k+1][sponsor[i]] += level[k][i]`), never by walking up ancestors. Each pass
//! also credits the level it reads and clears it for reuse, so a `depth`-level unilevel
//! costs `depth + 1` sequential passes and no extra clearing.
//!
//! Without compression every distributor occupies a level. With dynamic compression a
//! distributor who is not active this month does not count as a level: for an ancestor
//! `a`, the PV of `j` is at level `1 + (active distributors strictly between a and j)`.
//! The PV of an inactive distributor still counts, at the level it would have.
//! Only active distributors are paid, at the rates of their paid-as rank.

use super::{cents_of, Terms};
use crate::downline::NO_SPONSOR;
use crate::plan::NO_RANK;

/// Scratch arrays reused from month to month.
#[derive(Default, Debug)]
pub struct Scratch {
    /// level buffers in the compact space
    a: Vec<i64>,
    b: Vec<i64>,
    acc64: Vec<i64>,
    acc128: Vec<i128>,
    /// position in the compact space of each distributor with recruits
    pos: Vec<u32>,
    /// compact sponsor, rate row, and active flag
    isp: Vec<u32>,
    row: Vec<u8>,
    iq: Vec<bool>,
    table: Vec<i64>,
}

/// Inputs of one month.
pub struct Month<'a> {
    /// Sponsor of each distributor.
    pub sponsor: &'a [u32],
    /// PV of each distributor (hundredths of a point).
    pub pv: &'a [i64],
    /// Active (qualified) this month.
    pub qualified: &'a [bool],
    /// Paid-as rank.
    pub rank: &'a [u8],
    /// Currency per point, millionths.
    pub point_value: i64,
    /// Total PV of the month (bounds every level volume).
    pub total_pv: i64,
    /// Distributors with at least one recruit, in join order.
    pub internal: &'a [u32],
    /// Sum of each distributor's recruits' PV (level 1 without compression).
    pub child_pv: &'a [i64],
    /// With compression: who counts as a level (the active, or those paid as a rank).
    pub counts: &'a [bool],
}

/// An accumulator of Σ volume × rate: 64-bit when the month's total volume proves it
/// cannot overflow, 128-bit otherwise.
trait Acc: Copy + Default {
    fn add(&mut self, v: i64, r: i64);
    fn get(self) -> i128;
}
impl Acc for i64 {
    #[inline(always)]
    fn add(&mut self, v: i64, r: i64) {
        *self += v * r;
    }
    #[inline(always)]
    fn get(self) -> i128 {
        self as i128
    }
}
impl Acc for i128 {
    #[inline(always)]
    fn add(&mut self, v: i64, r: i64) {
        *self += v as i128 * r as i128;
    }
    #[inline(always)]
    fn get(self) -> i128 {
        self
    }
}

/// Write each distributor's unilevel bonus this month (cents) into `out`; returns their sum.
/// `rates[rank * depth + level - 1]` are millionths.
pub fn pay(
    m: &Month,
    compression: bool,
    depth: usize,
    rates: &[i64],
    s: &mut Scratch,
    out: &mut [i64],
) -> i64 {
    let max_rate = rates.iter().copied().max().unwrap_or(0);
    let bound = (m.total_pv.max(0) as i128) * (max_rate as i128) * (depth as i128);
    if bound < i64::MAX as i128 {
        let mut acc = std::mem::take(&mut s.acc64);
        let t = run(m, compression, depth, rates, s, &mut acc, out);
        s.acc64 = acc;
        t
    } else {
        let mut acc = std::mem::take(&mut s.acc128);
        let t = run(m, compression, depth, rates, s, &mut acc, out);
        s.acc128 = acc;
        t
    }
}

/// The level passes.
///
/// Below level 1 only distributors with recruits can hold volume, and the sponsor of one
/// has recruits too: levels 2 and deeper live entirely among them. They are run in a
/// compact index space of their own (`j` = position in `internal`), so each level is one
/// contiguous pass over a fraction of the downline. Between calls the level buffers and
/// accumulators are all zero: every pass clears what it reads.
fn run<A: Acc>(
    m: &Month,
    compression: bool,
    depth: usize,
    rates: &[i64],
    s: &mut Scratch,
    acc: &mut Vec<A>,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let sponsor = &m.sponsor[..n];
    let (qualified, rank) = (&m.qualified[..n], &m.rank[..n]);
    let counts = if compression { &m.counts[..n] } else { &[][..] };
    let internal = m.internal;
    let ni = internal.len();
    out[..n].fill(0);

    // The compact space: sponsor and rate row of each distributor with recruits.
    let ranks = rates.len() / depth;
    let zero_row = ranks as u8;
    s.table.clear();
    s.table.extend_from_slice(rates);
    s.table.extend(std::iter::repeat_n(0, depth));
    if s.pos.len() < n {
        s.pos.resize(n, 0);
    }
    for (j, &i) in internal.iter().enumerate() {
        s.pos[i as usize] = j as u32;
    }
    s.isp.clear();
    s.row.clear();
    s.iq.clear();
    for &i in internal {
        let i = i as usize;
        let p = sponsor[i];
        s.isp.push(if p == NO_SPONSOR {
            NO_SPONSOR
        } else {
            s.pos[p as usize]
        });
        let paid = qualified[i] && rank[i] != NO_RANK;
        s.row.push(if paid { rank[i] } else { zero_row });
        s.iq.push(if compression { counts[i] } else { qualified[i] });
    }
    if acc.len() < ni {
        acc.resize(ni, A::default());
    }
    if s.a.len() < ni {
        s.a.resize(ni, 0);
        s.b.resize(ni, 0);
    }
    let (mut cur, mut nxt) = (std::mem::take(&mut s.a), std::mem::take(&mut s.b));

    // Level 1: the recruits' PV, summed by the engine. With compression, a recruit that
    // does not count passes its own level 1 on as well; one without recruits has none, so
    // a reverse pass over those with recruits is enough (recruits come after sponsors).
    for (j, &i) in internal.iter().enumerate() {
        cur[j] = m.child_pv[i as usize];
    }
    if compression {
        for j in (0..ni).rev() {
            let p = s.isp[j];
            if p != NO_SPONSOR && !s.iq[j] {
                cur[p as usize] += cur[j];
            }
        }
    }

    let table = &s.table[..];
    let (isp, row, iq) = (&s.isp[..], &s.row[..], &s.iq[..]);
    let acc = &mut acc[..ni];
    for k in 1..depth {
        let (c, x) = (&mut cur[..ni], &mut nxt[..ni]);
        if compression {
            // Reverse: an inactive distributor passes on the level it received unchanged.
            for j in (0..ni).rev() {
                let v = std::mem::take(&mut c[j]);
                acc[j].add(v, table[row[j] as usize * depth + k - 1]);
                let p = isp[j];
                if p != NO_SPONSOR {
                    let give = if iq[j] { v } else { x[j] };
                    x[p as usize] += give;
                }
            }
        } else {
            for j in 0..ni {
                let v = std::mem::take(&mut c[j]);
                acc[j].add(v, table[row[j] as usize * depth + k - 1]);
                let p = isp[j];
                if p != NO_SPONSOR {
                    x[p as usize] += v;
                }
            }
        }
        std::mem::swap(&mut cur, &mut nxt);
    }
    // The deepest level, and the amounts.
    // Saturating: lines held at the 64-bit bounds add up without wrapping (the engine
    // then refuses the month).
    let mut total = 0i64;
    for j in 0..ni {
        let v = std::mem::take(&mut cur[j]);
        acc[j].add(v, table[row[j] as usize * depth + depth - 1]);
        let a = std::mem::take(&mut acc[j]).get();
        if a != 0 {
            let c = cents_of(a, m.point_value);
            out[internal[j] as usize] = c;
            total = total.saturating_add(c);
        }
    }
    s.a = cur;
    s.b = nxt;
    total
}

/// How a walking evaluation of the unilevel decides who is paid and who fills a level.
pub struct Walk<'a> {
    /// Round each term (else each line, from exact sums).
    pub per_term: bool,
    /// Dynamic compression (by `Month::counts`).
    pub compression: bool,
    /// Active personally sponsored distributors of each (empty: levels not unlocked by
    /// them).
    pub active_legs: &'a [u32],
    /// Pass over uplines not qualified for the level being filled.
    pub skip_unqualified: bool,
}

/// The unilevel by walking up from each distributor with volume as far as `depth`
/// levels: with each term rounded (`[rounding] per = "term"`), with levels unlocked by
/// active legs, or with compression by level qualification (an upline not qualified for
/// the level being filled is passed over and the level goes up). It costs the depth of
/// the tree per distributor, not a few passes; only plans that ask for it pay that.
pub fn pay_walking(
    m: &Month,
    depth: usize,
    rates: &[i64],
    w: &Walk,
    acc: &mut Vec<i128>,
    out: &mut [i64],
) -> i64 {
    let n = m.sponsor.len();
    let out = &mut out[..n];
    let mut terms = Terms::new(w.per_term, m.point_value, acc, out);
    for j in 0..n {
        let v = m.pv[j];
        if v == 0 {
            continue;
        }
        let (mut a, mut level) = (m.sponsor[j], 1usize);
        while a != NO_SPONSOR && level <= depth {
            let i = a as usize;
            let r = m.rank[i];
            let rate = if m.qualified[i] && r != NO_RANK {
                rates[r as usize * depth + level - 1]
            } else {
                0
            };
            let unlocked = w.active_legs.is_empty() || w.active_legs[i] as usize >= level;
            let paid = rate != 0 && unlocked;
            if paid {
                terms.add(out, i, v as i128 * rate as i128);
            }
            let fills = if w.skip_unqualified {
                paid
            } else {
                !w.compression || m.counts[i]
            };
            if fills {
                level += 1;
            }
            a = m.sponsor[i];
        }
    }
    terms.finish(out)
}
