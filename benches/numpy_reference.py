#!/usr/bin/env python3
"""Vectorised NumPy baseline for the "reference workload" Monte Carlo.

Workload (per month m = 1..months, in this order):
  (a) every distributor active at the start of the month (i.e. active at the
      end of the previous month) quits with probability 0.05 and is inactive
      forever after.  Founders are not subject to quitting in month 1.
  (b) every remaining active distributor recruits Poisson(0.1) new
      distributors (it is their sponsor).  Recruits are active from that month
      on, do not recruit in their join month, and may quit from the next month.
  (c) every active distributor (incl. new recruits) buys PV ~ lognormal with
      MEAN 100 and sigma 0.5 (mu = ln(100) - sigma**2 / 2); inactive PV = 0.
  (d) group volume GV[i] = PV[i] + sum(GV[child]) over the whole sponsor tree,
      rolled up through inactive nodes as well.
  (e) unilevel bonus: 5% of each distributor's PV goes to each of its first 5
      sponsor ancestors (levels 1..5), paid only if that ancestor is active
      this month.  No compression: an inactive ancestor keeps its level, its
      share is simply not paid (breakage).

Distributors are numbered in join order, so sponsor[i] < i, and founders are
exactly ids 0..F-1 (the only nodes without a sponsor, depth 0).

Random draws (shared bit-for-bit with the slow loop check), per month:
  rng.random(#active at start)       -- only for m > 1, in id order
  rng.poisson(0.1, #remaining)       -- in id order
  rng.lognormal(mu, 0.5, #active)    -- in id order, recruits last
Recruits get consecutive new ids in sponsor-id order.

Usage:
  python benches/numpy_reference.py [--founders 100000] [--months 36] [--seed 7]
  python benches/numpy_reference.py --check   # compare against a pure-Python loop
"""

import argparse
import json
import math
import sys
import time

import numpy as np

P_QUIT = 0.05
RECRUIT_LAMBDA = 0.1
PV_MEAN = 100.0
PV_SIGMA = 0.5
PV_MU = math.log(PV_MEAN) - PV_SIGMA ** 2 / 2.0
UNILEVEL_RATE = 0.05
UNILEVEL_LEVELS = 5


class _Population:
    """Growable struct-of-arrays storage (capacity doubling, amortised O(1))."""

    def __init__(self, founders, capacity):
        capacity = max(capacity, founders)
        self.n = founders
        self.sponsor = np.full(capacity, -1, dtype=np.intp)
        self.depth = np.zeros(capacity, dtype=np.int16)  # int16 -> radix argsort
        self.active = np.zeros(capacity, dtype=bool)
        self.active[:founders] = True

    def ensure(self, needed):
        cap = self.sponsor.size
        if needed <= cap:
            return
        new_cap = max(needed, 2 * cap)
        for name, fill in (("sponsor", -1), ("depth", 0), ("active", False)):
            old = getattr(self, name)
            new = np.full(new_cap, fill, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)


def _group_volume(pv, sponsor, depth, founders):
    """GV[i] = PV[i] + sum of GV of children, over the whole tree.

    Method: level-by-level roll-up on a depth-sorted permutation.
    A single bincount over the parent array only moves volume one level up, so
    an arbitrary-depth tree needs one pass per depth level (the depth is small
    here: a recruit is always one generation deeper and can only recruit from
    the month after joining, so depth <= months - 1).  To make every pass cost
    O(#nodes at that depth) rather than O(n) (a bincount with minlength=n per
    level would be O(n * depth)), nodes are stably sorted by depth (radix sort
    on int16, O(n)); then all children of depth d form one contiguous block and
    all their parents lie in the contiguous block of depth d-1, so each pass is
    a bincount over the child block into the parent block, deepest level first.
    Total work O(n) per month, no Python loop over people.
    """
    n = pv.size
    d = depth[:n]
    order = np.argsort(d, kind="stable")          # founders (depth 0) stay first
    counts = np.bincount(d)
    starts = np.zeros(counts.size + 1, dtype=np.intp)
    np.cumsum(counts, out=starts[1:])
    inv = np.empty(n, dtype=np.intp)
    inv[order] = np.arange(n, dtype=np.intp)
    # sorted position of the parent of sorted positions founders..n-1
    parent_pos = inv[sponsor[order[founders:]]]
    gvs = pv[order]
    for lvl in range(counts.size - 1, 0, -1):
        lo, hi = starts[lvl], starts[lvl + 1]
        plo, phi = starts[lvl - 1], starts[lvl]
        gvs[plo:phi] += np.bincount(
            parent_pos[lo - founders: hi - founders] - plo,
            weights=gvs[lo:hi],
            minlength=phi - plo,
        )
    gv = np.empty(n)
    gv[order] = gvs
    return gv


def simulate(founders=100_000, months=36, seed=7, record=False):
    """Run the reference workload.  Returns a dict of totals.

    With record=True also returns per-month histories and per-node cumulative
    commissions (used by the --check comparison; off for the benchmark).
    """
    rng = np.random.default_rng(seed)
    # ~ (0.95 * 1.1) ** months growth of the active set; start with room for it
    pop = _Population(founders, int(founders * 1.2 * 1.05 ** months) + 16)

    active_months = 0
    total_pv = 0.0
    total_comm = 0.0
    hist = {"active": [], "pv": [], "comm": [], "gv_root_sum": []} if record else None
    cum_comm = np.zeros(0)

    for m in range(1, months + 1):
        n = pop.n
        act_idx = np.flatnonzero(pop.active[:n])  # active at start of month

        # (a) quitting (founders are exempt in month 1)
        if m > 1:
            quits = rng.random(act_idx.size) < P_QUIT
            pop.active[act_idx[quits]] = False
            act_idx = act_idx[~quits]

        # (b) recruiting by those still active (new recruits are added after
        #     the draw, so they do not recruit in their join month)
        # founders join in month 1 and, like every recruit, start recruiting the month after
        k = rng.poisson(RECRUIT_LAMBDA, act_idx.size) if m > 1 else np.zeros(act_idx.size, np.int64)
        r = int(k.sum())
        if r:
            pop.ensure(n + r)
            spons = np.repeat(act_idx, k)
            pop.sponsor[n: n + r] = spons
            pop.depth[n: n + r] = pop.depth[spons] + 1
            pop.active[n: n + r] = True
            act_idx = np.concatenate((act_idx, np.arange(n, n + r, dtype=np.intp)))
            n += r
            pop.n = n
        n_act = act_idx.size
        active_months += n_act

        # (c) personal volume
        pv = np.zeros(n)
        pv[act_idx] = rng.lognormal(PV_MU, PV_SIGMA, n_act)
        month_pv = pv.sum()
        total_pv += month_pv

        sponsor = pop.sponsor[:n]
        child_sponsor = sponsor[founders:]  # every non-founder has a sponsor

        # (d) group volume over the whole tree
        gv = _group_volume(pv, pop.sponsor, pop.depth, founders)

        # (e) unilevel, 5 levels, no compression.
        #     level_1[j] = sum PV of children of j,
        #     level_{k+1}[j] = sum over children c of level_k[c]
        #     => level_k[j] = total PV of j's descendants exactly k levels down.
        #     Inactive nodes pass volume through (their PV is 0 but their
        #     level sums still propagate); payment is masked by `active`.
        level = pv
        downline_pv = np.zeros(n)
        for _ in range(UNILEVEL_LEVELS):
            level = np.bincount(child_sponsor, weights=level[founders:], minlength=n)
            downline_pv += level
        comm = UNILEVEL_RATE * downline_pv[act_idx]
        month_comm = comm.sum()
        total_comm += month_comm

        if record:
            grown = np.zeros(n)
            grown[: cum_comm.size] = cum_comm
            cum_comm = grown
            cum_comm[act_idx] += comm
            hist["active"].append(n_act)
            hist["pv"].append(month_pv)
            hist["comm"].append(month_comm)
            hist["gv_root_sum"].append(gv[:founders].sum())
            hist["gv_last"] = gv

    out = {
        "active_distributor_months": int(active_months),
        "total_pv": float(total_pv),
        "total_commission": float(total_comm),
        "payout_ratio": float(total_comm / total_pv) if total_pv else 0.0,
        "distributors_ever": int(pop.n),
    }
    if record:
        out["hist"] = hist
        out["cum_comm"] = cum_comm
        out["sponsor"] = pop.sponsor[: pop.n].copy()
    return out


def _simulate_loop(founders, months, seed):
    """Slow, independent pure-Python implementation (per-person loops).

    Consumes the RNG with exactly the same array draws in the same order, so
    it sees the same random numbers; everything else (who quits, recruiting,
    GV by reverse id pass, unilevel by walking up the ancestor chain) is done
    person by person with Python lists.
    """
    rng = np.random.default_rng(seed)
    sponsor = [-1] * founders
    active = [True] * founders
    cum_comm = [0.0] * founders
    hist = {"active": [], "pv": [], "comm": [], "gv_root_sum": []}
    for m in range(1, months + 1):
        act = [i for i in range(len(sponsor)) if active[i]]
        if m > 1:
            u = rng.random(len(act))
            keep = []
            for j, i in enumerate(act):
                if u[j] < P_QUIT:
                    active[i] = False
                else:
                    keep.append(i)
            act = keep
        k = rng.poisson(RECRUIT_LAMBDA, len(act)) if m > 1 else np.zeros(len(act), np.int64)
        new = []
        for j, i in enumerate(act):
            for _ in range(int(k[j])):
                sponsor.append(i)
                active.append(True)
                cum_comm.append(0.0)
                new.append(len(sponsor) - 1)
        act = act + new
        n = len(sponsor)
        draws = rng.lognormal(PV_MU, PV_SIGMA, len(act))
        pv = [0.0] * n
        for j, i in enumerate(act):
            pv[i] = float(draws[j])
        gv = pv[:]
        for i in range(n - 1, -1, -1):
            s = sponsor[i]
            if s >= 0:
                gv[s] += gv[i]
        month_comm = 0.0
        for i in range(n):
            if pv[i] == 0.0:
                continue
            a = sponsor[i]
            lvl = 1
            while a >= 0 and lvl <= UNILEVEL_LEVELS:
                if active[a]:
                    pay = UNILEVEL_RATE * pv[i]
                    cum_comm[a] += pay
                    month_comm += pay
                a = sponsor[a]
                lvl += 1
        hist["active"].append(len(act))
        hist["pv"].append(sum(pv))
        hist["comm"].append(month_comm)
        hist["gv_root_sum"].append(sum(gv[:founders]))
        hist["gv_last"] = gv
    total_pv = sum(hist["pv"])
    total_comm = sum(hist["comm"])
    return {
        "active_distributor_months": sum(hist["active"]),
        "total_pv": total_pv,
        "total_commission": total_comm,
        "payout_ratio": total_comm / total_pv,
        "hist": hist,
        "cum_comm": cum_comm,
        "sponsor": sponsor,
    }


def _check_against_loop(cases=((200, 12, 7), (200, 12, 1), (200, 36, 7), (300, 36, 3))):
    """Vectorised vs. pure-Python loop on small cases; raises on mismatch.

    Cases are (founders, months, seed).  The 36-month cases matter: only they
    grow trees deeper than UNILEVEL_LEVELS, so only they test the level-5
    cut-off and multi-level GV roll-up (asserted below).
    """
    results = []
    max_depth_seen = 0
    for founders, months, seed in cases:
        v = simulate(founders, months, seed, record=True)
        s = _simulate_loop(founders, months, seed)
        assert np.array_equal(v["sponsor"], np.asarray(s["sponsor"])), "sponsor tree differs"
        assert v["hist"]["active"] == s["hist"]["active"], "active counts differ"
        assert v["active_distributor_months"] == s["active_distributor_months"]
        for key in ("pv", "comm", "gv_root_sum"):
            assert np.allclose(v["hist"][key], s["hist"][key], rtol=1e-10, atol=1e-9), key
        assert np.allclose(v["hist"]["gv_last"], s["hist"]["gv_last"], rtol=1e-10, atol=1e-9), "GV"
        assert np.allclose(v["cum_comm"], s["cum_comm"], rtol=1e-10, atol=1e-9), "per-node commission"
        assert math.isclose(v["payout_ratio"], s["payout_ratio"], rel_tol=1e-10)
        # GV invariant: the founders' GVs cover the whole tree's PV
        assert math.isclose(v["hist"]["gv_root_sum"][-1], v["hist"]["pv"][-1], rel_tol=1e-10)
        par = v["sponsor"]
        depth = np.zeros(par.size, dtype=np.intp)
        for i in range(founders, par.size):
            depth[i] = depth[par[i]] + 1
        max_depth_seen = max(max_depth_seen, int(depth.max()))
        results.append({
            "founders": founders,
            "months": months,
            "seed": seed,
            "max_depth": int(depth.max()),
            "distributors_ever": len(s["sponsor"]),
            "active_distributor_months": s["active_distributor_months"],
            "payout_ratio_numpy": v["payout_ratio"],
            "payout_ratio_loop": s["payout_ratio"],
        })
    assert max_depth_seen > UNILEVEL_LEVELS + 1, "check trees too shallow to test the level cut-off"
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--founders", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--check", action="store_true",
                    help="compare against a slow pure-Python loop on small cases")
    args = ap.parse_args(argv)

    if args.check:
        res = _check_against_loop()
        print(json.dumps({"check": "ok", "cases": res}))
        return 0

    t0 = time.perf_counter()
    out = simulate(args.founders, args.months, args.seed)
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "impl": "numpy",
        "active_distributor_months": out["active_distributor_months"],
        "seconds": seconds,
        "per_second": out["active_distributor_months"] / seconds,
        "payout_ratio": out["payout_ratio"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
