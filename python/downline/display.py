"""HTML summaries of plans, scenarios and results, for Jupyter (``_repr_html_``) and for
the report. Every piece of text that comes from a file or a table is escaped.

The functions here read only ``Plan.to_dict()``, ``Scenario.to_dict()`` and a result's
tables, and fill in the documented defaults (docs/reference.md) where a field is unset, so
what is shown is what is simulated.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from downline.api import Plan, Scenario, SimulationResult

#: Scenario defaults from docs/reference.md, used where a field is unset.
SCENARIO_DEFAULTS: dict[str, dict[str, Any]] = {
    "market": {"founders": 10, "size": None},
    "recruitment": {"rate": 0.1, "heterogeneity": None},
    "attrition": {"monthly_quit": 0.05},
    "purchases": {"probability": 1.0, "mean": 100.0, "sigma": 0.5},
    "customers": {"acquisition_rate": 0.0, "churn": 0.1, "order_probability": 0.5,
                  "order_mean": 60.0, "order_sigma": 0.5},
    "expenses": {"monthly": 0.0},
    "parties": {"per_month": 0.0, "hosting_share": 1.0, "sales_mean": 400.0,
                "sales_sigma": 0.6},
}

_STYLE = """
<style>
.downline-repr{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;
  line-height:1.4;max-width:60em}
.downline-repr h3{margin:.2em 0 .3em;font-size:15px}
.downline-repr h4{margin:.8em 0 .2em;font-size:13px}
.downline-repr table{border-collapse:collapse;margin:.2em 0 .6em}
.downline-repr th,.downline-repr td{border-bottom:1px solid #ddd;padding:2px 8px;
  text-align:left;vertical-align:top}
.downline-repr td.n,.downline-repr th.n{text-align:right;font-variant-numeric:tabular-nums}
.downline-repr .muted{color:#666}
</style>
"""


def esc(x: Any) -> str:
    """Escape any value for HTML (``None`` becomes an empty string)."""
    return "" if x is None else html.escape(str(x), quote=True)


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt_share(x: Any, digits: int = 1) -> str:
    """A share as a percentage: 0.162 → ``16.2%``."""
    v = _num(x)
    return "–" if v is None else f"{100 * v:.{digits}f}%"


def fmt_rate(x: Any) -> str:
    """A plan rate as a percentage without needless decimals: 0.05 → ``5%``."""
    v = _num(x)
    if v is None:
        return "–"
    s = f"{100 * v:.4f}".rstrip("0").rstrip(".")
    return f"{s}%"


def fmt_money(x: Any, currency: str = "", cents: bool = False) -> str:
    v = _num(x)
    if v is None:
        return "–"
    s = f"{v:,.2f}" if cents else f"{v:,.0f}"
    return f"{s} {currency}".strip()


def fmt_share_small(x: Any) -> str:
    """A share as a percentage with the decimals a small one needs: 0.162 → ``16.2%``,
    0.00004 → ``0.004%``, 0 → ``0%``."""
    v = _num(x)
    if v is None:
        return "–"
    if v == 0:
        return "0%"
    if abs(v) >= 0.001:
        return fmt_share(v)
    return f"{100 * v:.2g}%"


def fmt_per_run(x: Any) -> str:
    """A mean count per run with the decimals it needs: 12,034; 4.5; 0.01; 0."""
    v = _num(x)
    if v is None:
        return "–"
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.1f}"
    return f"{v:.2g}"


def fmt_count(x: Any) -> str:
    v = _num(x)
    return "–" if v is None else f"{v:,.0f}"


def fmt_points(x: Any) -> str:
    v = _num(x)
    if v is None:
        return "–"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def table(header: Sequence[str], rows: Iterable[Sequence[Any]],
          numeric: Sequence[int] = (), raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw``; columns in ``numeric`` align right."""
    num = set(numeric)
    out = ['<div class="dl-scroll" style="overflow-x:auto;max-width:100%"><table><thead><tr>']
    out += [f'<th{" class=n" if i in num else ""}>{esc(h)}</th>' for i, h in enumerate(header)]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>")
        for i, c in enumerate(r):
            cell = str(c) if raw else esc(c)
            out.append(f'<td{" class=n" if i in num else ""}>{cell}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _wrap(body: str) -> str:
    return f'{_STYLE}<div class="downline-repr">{body}</div>'


# ----------------------------------------------------------------------------- plans


def _plan_spec(plan: Plan) -> dict[str, Any]:
    spec = plan.to_dict()
    spec.setdefault("ranks", [])
    spec.setdefault("bonus", [])
    return spec


def _window(months: Any) -> str:
    return f" over {months} months" if months and months != 1 else ""


def rank_requirements(r: dict[str, Any]) -> str:
    """A rank's requirements in words."""
    parts = []
    if _num(r.get("pv")):
        parts.append(f"{fmt_points(r['pv'])} PV{_window(r.get('pv_months'))}")
    if _num(r.get("accumulated_pv")):
        parts.append(f"{fmt_points(r['accumulated_pv'])} PV accumulated")
    if _num(r.get("tv")):
        parts.append(f"{fmt_points(r['tv'])} team volume (own and first level)")
    if _num(r.get("gv")):
        gv = f"{fmt_points(r['gv'])} GV{_window(r.get('gv_months'))}"
        limits = []
        if r.get("max_leg_share") is not None:
            limits.append(f"at most {fmt_rate(r['max_leg_share'])} of it from one leg")
        if r.get("max_leg_volume") is not None:
            limits.append(f"at most {fmt_points(r['max_leg_volume'])} PV from one leg")
        if r.get("max_own_pv") is not None:
            limits.append(f"at most {fmt_points(r['max_own_pv'])} of own PV")
        if limits:
            gv += f" ({', '.join(limits)})"
        parts.append(gv)
    if _num(r.get("ov")):
        parts.append(f"{fmt_points(r['ov'])} PV in the downline")
    legs = r.get("leg_volumes") or []
    names = ["the largest leg", "the second", "the other legs together"]
    if legs:
        parts.append(", ".join(f"{fmt_points(v)} in {n}" for v, n in zip(legs, names)))
    if r.get("active_legs"):
        parts.append(f"{r['active_legs']} active personally sponsored legs")
    for name, n in (r.get("leg_ranks") or {}).items():
        parts.append(f"{n} legs with a {name} or higher")
    for name, n in (r.get("leg_titles") or {}).items():
        parts.append(f"{n} legs with someone who has reached {name}")
    return ", ".join(parts) if parts else "none"


def _basis(b: dict[str, Any]) -> str:
    return " (rates by title, the highest rank reached)" if b.get("rank_basis") == "title" else ""


def _rates(rs: Sequence[Any]) -> str:
    return " / ".join(fmt_rate(x) for x in rs)


def paid_by(kind: Any) -> str:
    """Who pays a bonus of this kind, and to whom when it is not a distributor: the retail
    margin is paid by customers; host rewards by the company to party hosts (customers),
    outside the commissions; every other kind by the company."""
    if kind == "retail":
        return "customers"
    if kind == "host_rewards":
        return "company → hosts"
    return "company"


def _tiers(tiers: Sequence[dict[str, Any]], currency: str, what: str) -> str:
    parts = []
    for t in tiers:
        amount = t.get("amount")
        extra = f" + {fmt_money(amount, currency, True)}" if _num(amount) else ""
        parts.append(f"{fmt_rate(t.get('rate'))}{extra} from {fmt_points(t.get('min_pv'))} PV")
    return f"{'; '.join(parts)} of {what}"


_PARTY_SOURCES = {"party": "party sales", "retail": "retail customers' orders",
                  "preferred": "preferred customers' orders"}


def _by_rank(listed: Any, ranks: Sequence[str]) -> list[str]:
    """The rank names of a table by rank, in the plan's rank order (unknown ones last)."""
    return [r for r in ranks if r in listed] + [r for r in listed if r not in ranks]


def bonus_description(b: dict[str, Any], ranks: Sequence[str], currency: str) -> str:
    """One bonus in words, with its rates."""
    kind = b.get("kind")
    if kind == "retail":
        return (f"retail margin: sells at {fmt_rate(b.get('markup'))} over wholesale and keeps "
                "the difference (paid by customers, not by the company)")
    if kind == "unilevel":
        comp = "with compression" if b.get("compression") else "without compression"
        parts = []
        rates = b.get("rates") or {}
        ordered = _by_rank(rates, ranks)
        if b.get("levels"):
            others = "ranks not listed" if rates else "every rank"
            parts.append(f"{others}: {_rates(b['levels'])}")
        for r in ordered:
            parts.append(f"{r}: {_rates(rates[r])}")
        if b.get("compress_below"):
            comp = f"with compression to {b['compress_below']} and above"
        if b.get("skip_unqualified"):
            comp = "passing over uplines not qualified for the level being filled"
        if b.get("levels_by_active_legs"):
            comp += ", level k paid only with k active personally sponsored legs"
        return (f"unilevel, {comp}; rates by level (level 1 = personally "
                f"sponsored){_basis(b)} — " + "; ".join(parts))
    if kind == "fast_start":
        months = b.get("months") or 1
        req = b.get("require_active")
        who = "an active sponsor" if req is None or req else "a participating sponsor"
        if b.get("levels"):
            who = (f"{'an active' if req is None or req else 'a participating'} upline: "
                   f"{_rates(b['levels'])} by level (level 1 = the sponsor)")
            return (f"fast start on a recruit's PV in the recruit's first {months} "
                    f"month{'s' if months != 1 else ''}, to {who}")
        return (f"fast start: {fmt_rate(b.get('rate'))} of a recruit's PV in the recruit's "
                f"first {months} month{'s' if months != 1 else ''}, to {who}")
    if kind == "rank_advancement":
        amounts = b.get("amounts") or {}
        ordered = _by_rank(amounts, ranks)
        return "rank advancement, once per rank first reached: " + ", ".join(
            f"{r} {fmt_money(amounts[r], currency)}" for r in ordered)
    if kind == "party_commission":
        on = [_PARTY_SOURCES.get(x, str(x)) for x in (b.get("on") or ["party"])]
        sales = " and ".join(on)
        who = "an active distributor" if b.get("require_active") else "the distributor"
        return (f"party commission to {who} on the month's {sales}, at the rate of the "
                f"highest tier the month's total reaches, paid on all of it: "
                + _tiers(b.get("tiers") or [], currency, "the sales"))
    if kind == "sponsoring":
        amounts = " / ".join(fmt_money(a, currency) for a in b.get("amounts") or [])
        if b.get("rank"):
            when = (f"reaches {b['rank']} within {b.get('within_months') or 1} month(s) "
                    "of joining")
        elif _num(b.get("min_pv")):
            when = f"places a first order of at least {fmt_points(b['min_pv'])} PV"
        else:
            when = "places a first order"
        who = ("active uplines" if b.get("require_active") in (None, True)
               else "participating uplines")
        return (f"sponsoring bonus, once for each new recruit who {when}: {amounts} to "
                f"{who} by level (level 1 = the sponsor)")
    if kind == "allowance":
        amounts = b.get("amounts") or {}
        ordered = _by_rank(amounts, ranks)
        held = b.get("months_held") or 1
        return (f"allowance every month to active distributors paid as a rank for {held} "
                f"month{'s' if held != 1 else ''} in a row{_basis(b)}, the amount of the "
                "highest: " + ", ".join(f"{r} {fmt_money(amounts[r], currency)}"
                                        for r in ordered))
    if kind == "generation":
        rates = b.get("rates") or {}
        ordered = _by_rank(rates, ranks)
        parts = []
        if b.get("generations"):
            others = "ranks not listed" if rates else "every rank"
            parts.append(f"{others}: {_rates(b['generations'])}")
        for r in ordered:
            parts.append(f"{r}: {_rates(rates[r])}")
        first = ("the own group (down to the first leaders), then each generation"
                 if b.get("from_generation") == 0 else "each generation")
        comp = (", a leader who is not active not ending a generation"
                if b.get("compression") else "")
        return (f"generation override: a generation ends at the next {b.get('leader')} or "
                f"higher (a breakaway leg){comp}; rates on {first}{_basis(b)} — "
                + "; ".join(parts))
    if kind == "personal":
        who = "active distributors" if b.get("require_active") in (None, True) else "everyone"
        return ("personal volume bonus to " + who + ", at the rate of the highest tier the "
                "month's own PV reaches, on all of it: "
                + _tiers(b.get("tiers") or [], currency, "own PV"))
    if kind == "host_rewards":
        return ("host rewards, paid by the company to each party's host (a customer, not the "
                "distributor; outside the commissions and the cap), by the party's sales: "
                + _tiers(b.get("tiers") or [], currency, "the party's sales"))
    if kind == "differential":
        rates = b.get("rates") or {}
        ordered = _by_rank(rates, ranks)
        same = b.get("same_rank_rate")
        mode = b.get("mode") or "infinity"
        how = {
            "infinity": "each active upline with a rank earns its rate less the highest rate "
                        "paid below it",
            "discount": "a discount ladder: each active upline earns its rate less the highest "
                        "rate at or below it in the line, the buyer's own discount included",
            "cumulative": "each active upline whose rate is above the last payee's earns its "
                          "full rate, up to what is left of the top rate",
        }.get(mode, mode)
        if b.get("compress_below"):
            how += f", counting only {b['compress_below']} and above as upline levels"
        if b.get("from_level") and b["from_level"] != 1:
            how += f", from upline level {b['from_level']}"
        return ("differential on the PV of the whole downline, no depth limit: "
                f"{how}{_basis(b)} — " + ", ".join(f"{r} {fmt_rate(rates[r])}" for r in ordered)
                + (f"; the first upline of the same rank as the highest paid below it earns "
                   f"{fmt_rate(same)} (same-rank override)" if _num(same) else ""))
    if kind == "matching":
        on = b.get("on")
        what = (" and ".join(str(x) for x in on) if on else
                "every bonus in the payout listed before it")
        parts = []
        rates = b.get("rates") or {}
        ordered = _by_rank(rates, ranks)
        if b.get("generations"):
            others = "ranks not listed" if rates else "every rank"
            parts.append(f"{others}: {_rates(b['generations'])}")
        for r in ordered:
            parts.append(f"{r}: {_rates(rates[r])}")
        comp = "with" if b.get("compression") else "without"
        return (f"matching bonus: a share of what each generation of the sponsor downline "
                f"earned from {what} (generation 1 = personally sponsored), {comp} "
                "compression, to active distributors — " + "; ".join(parts))
    if kind == "pool":
        shares = b.get("shares") or {}
        ordered = _by_rank(shares, ranks)
        return (f"leadership pool of {fmt_rate(b.get('rate'))} of the month's volume value, "
                "shared among the active distributors paid as a rank with shares, in "
                "proportion to their shares (nothing paid if nobody qualifies): "
                + ", ".join(f"{r} {shares[r]:g} share{'s' if shares[r] != 1 else ''}"
                            for r in ordered))
    if kind == "stairstep":
        tiers = b.get("tiers") or []
        steps = ", ".join(f"{fmt_rate(t.get('rate'))} from {fmt_points(t.get('gv'))}"
                          for t in tiers)
        brk = b.get("breakaway_rate")
        if brk is None and tiers:
            brk = tiers[-1].get("rate")
        gens = b.get("generation_rates") or []
        return ("stairstep performance bonus by monthly group PV (own PV plus legs that have "
                f"not broken away) — {steps} PV; each earns its rate less its legs' rates on "
                f"their volume; a leg reaching {fmt_rate(brk)} breaks away"
                + (f", and a sponsor at {fmt_rate(brk)} earns {_rates(gens)} on broken-away "
                   "legs by generation" if gens else ""))
    if kind == "binary":
        ratio = b.get("ratio") or [1, 1]
        if _num(b.get("cycle_pv")):
            if b.get("cycle_values"):
                per = ", ".join(f"{r} {fmt_money(v, currency)}"
                                for r, v in b["cycle_values"].items())
            else:
                per = fmt_money(b.get("cycle_value"), currency)
            what = (f"whole cycles of {fmt_points(b['cycle_pv'])} PV on the weaker leg at "
                    f"{per} a cycle")
        elif b.get("rates"):
            what = ("by rank " + ", ".join(f"{r} {fmt_rate(v)}" for r, v in b["rates"].items())
                    + " of the weaker leg's volume")
        else:
            what = f"{fmt_rate(b.get('rate'))} of the weaker leg's volume"
        parts = [(f"binary: {what}, paired {ratio[0]}:{ratio[1]} with the stronger leg, to "
                  "active distributors")]
        if b.get("require_sponsored_legs"):
            parts.append("with an active personal recruit in each leg")
        carry = b.get("carry_months")
        if carry == 0:
            parts.append("no carry-over")
        else:
            c = "unpaid volume carried over"
            if carry is not None:
                c += f" for {carry} month{'s' if carry != 1 else ''}"
            if _num(b.get("max_carry")):
                c += f", at most {fmt_points(b['max_carry'])} PV a leg"
            parts.append(c)
        if b.get("flush_if_inactive"):
            parts.append("flushed when the distributor is inactive")
        if _num(b.get("cap_per_month")):
            exempt = b.get("cap_exempt_cycles")
            parts.append(f"at most {fmt_money(b['cap_per_month'], currency)} a month each"
                         + (f" beyond the first {exempt} cycles" if exempt else ""))
        if _num(b.get("paycut")):
            parts.append(f"all binary pay cut pro rata to at most {fmt_rate(b['paycut'])} "
                         "of the month's volume value (paycut)")
        return "; ".join(parts)
    if kind == "matrix":
        levels = b.get("levels") or []
        return (f"forced matrix: rates by placement level to {len(levels)} level"
                f"{'s' if len(levels) != 1 else ''} deep, to active distributors — "
                + _rates(levels))
    return str(kind)


def plan_sentences(plan: Plan) -> list[str]:
    """The plan in plain words, one sentence per list item (text, not HTML)."""
    spec = _plan_spec(plan)
    cur = spec.get("currency") or "USD"
    pv_value = (spec.get("volume") or {}).get("point_value") or "1"
    min_pv = (spec.get("active") or {}).get("min_pv")
    ranks = [r["name"] for r in spec["ranks"]]
    out = [f"Amounts are in {cur}; one volume point (PV) is worth {fmt_points(pv_value)} {cur}."]
    window = (spec.get("active") or {}).get("window_months")
    if _num(min_pv):
        out.append(f"A distributor is active (qualified to be paid) in a month with at least "
                   f"{fmt_points(min_pv)} PV of own orders, customers' orders and party sales"
                   + (f", and stays active for the {window - 1} month"
                      f"{'s' if window != 2 else ''} after it" if window and window > 1 else "")
                   + ".")
    else:
        out.append("Every participant is active (qualified) whatever their volume.")
    comp = spec.get("pv_compression")
    if comp is not None:
        floor = comp.get("min_pv") or min_pv or 0
        out.append(f"Before anything is paid, distributors with less than {fmt_points(floor)} PV "
                   "in the month are compressed out: their PV goes to the nearest qualified "
                   "ancestor and their recruits move up to it.")
    grace = (spec.get("paid_as") or {}).get("grace_months")
    if grace:
        out.append(f"A distributor who falls short of last month's rank is still paid as it "
                   f"for up to {grace} month{'s' if grace != 1 else ''} (grace).")
    acc = (spec.get("volume") or {}).get("accumulation_months")
    if acc:
        out.append(f"Accumulated PV starts again every {acc} months.")
    if ranks:
        out.append(f"{len(ranks)} ranks, lowest first: " + "; ".join(
            f"{r['name']} ({rank_requirements(r)})" for r in spec["ranks"]) + ".")
    for b in spec["bonus"]:
        text = bonus_description(b, ranks, cur)
        name = b.get("name")
        out.append(f"{name}: {text}." if name and name != b.get("kind")
                   else f"{text[0].upper()}{text[1:]}.")
    cap = (spec.get("cap") or {}).get("max_payout_ratio")
    if cap is not None:
        out.append(f"The company pays at most {fmt_rate(cap)} of a month's volume value; "
                   "above that every commission is scaled down.")
    else:
        out.append("There is no cap on the payout.")
    costs = spec.get("costs") or {}
    c = []
    if _num(costs.get("enrollment_fee")):
        c.append(f"{fmt_money(costs['enrollment_fee'], cur, True)} to enrol")
    if _num(costs.get("annual_fee")):
        c.append(f"{fmt_money(costs['annual_fee'], cur, True)} a year")
    if _num(costs.get("min_monthly_purchase")):
        c.append(f"a purchase of at least {fmt_money(costs['min_monthly_purchase'], cur, True)}"
                 " every month")
    out.append("A participant pays " + (", ".join(c) if c else "no fees") + ".")
    bb = buyback_words(spec)
    if bb:
        out.append(bb)
    if ((spec.get("rounding") or {}).get("per")) == "term":
        out.append("Each term (one distributor's month of volume) is rounded to the cent, "
                   "then the terms are summed.")
    return out


def buyback_words(spec: dict[str, Any], note: bool = True) -> str:
    """The plan's ``[buyback]`` in one sentence (a plan's dict), or ``""`` without one;
    ``note``: say that it acts only with a scenario's ``[inventory]``."""
    bb = spec.get("buyback")
    if not isinstance(bb, dict):
        return ""
    share = bb.get("refund_share")
    share = "0.9" if share is None else share
    within = bb.get("within_months")
    charge = bb.get("charge_back")
    when = (f"bought within the {within} months before quitting" if within
            else "whenever it was bought")
    return (f"A quitter who asks is refunded {fmt_rate(share)} of the cost of the stock "
            f"they still hold {when}"
            + ("; the commissions paid on the returned volume are charged back from those "
               "who were paid them" if charge is None or charge else
               "; nothing is charged back")
            + (" (this acts only when the scenario models stock, [inventory])." if note
               else "."))


def plan_html(plan: Plan, wrap: bool = True) -> str:
    """An HTML summary of a plan: ranks and their requirements, bonuses, cap, costs."""
    spec = _plan_spec(plan)
    cur = spec.get("currency") or "USD"
    ranks = [r["name"] for r in spec["ranks"]]
    body = [f"<h3>Plan: {esc(spec.get('name') or 'plan')}</h3>"]
    warnings = getattr(plan, "warnings", [])
    if warnings:
        body.append('<div style="border-left:4px solid #c77c02;padding:4px 10px;'
                    'background:#fff7e6"><b>Warnings</b><ul>'
                    + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul></div>")
    pv_value = (spec.get("volume") or {}).get("point_value") or "1"
    min_pv = (spec.get("active") or {}).get("min_pv") or "0"
    body.append(f"<p>Currency {esc(cur)}; 1 PV = {esc(fmt_points(pv_value))} {esc(cur)}; "
                f"active with at least {esc(fmt_points(min_pv))} PV a month.</p>")
    body.append("<h4>Ranks</h4>")
    if spec["ranks"]:
        body.append(table(
            ["rank", "PV", "GV", "active legs", "legs holding a rank",
             "max share of GV from one leg"],
            [[r["name"], fmt_points(r.get("pv") or 0), fmt_points(r.get("gv") or 0),
              r.get("active_legs") or 0,
              ", ".join(f"{n} × {k}" for k, n in (r.get("leg_ranks") or {}).items()) or "–",
              fmt_rate(r["max_leg_share"]) if r.get("max_leg_share") is not None else "–"]
             for r in spec["ranks"]], numeric=(1, 2, 3, 5)))
    else:
        body.append("<p class=muted>No ranks: everyone is paid as “Distributor”.</p>")
    body.append("<h4>Bonuses (paid in this order)</h4>")
    if spec["bonus"]:
        body.append(table(
            ["bonus", "kind", "paid by", "rule"],
            [[b.get("name") or b.get("kind"), b.get("kind"), paid_by(b.get("kind")),
              bonus_description(b, ranks, cur)] for b in spec["bonus"]]))
    else:
        body.append("<p class=muted>No bonuses.</p>")
    cap = (spec.get("cap") or {}).get("max_payout_ratio")
    costs = spec.get("costs") or {}
    body.append("<h4>Cap and costs</h4>")
    body.append(table(["", ""], [
        ["payout cap (share of monthly volume value)",
         fmt_rate(cap) if cap is not None else "none"],
        ["enrollment fee", fmt_money(costs.get("enrollment_fee") or 0, cur, True)],
        ["annual fee", fmt_money(costs.get("annual_fee") or 0, cur, True)],
        ["minimum monthly purchase", fmt_money(costs.get("min_monthly_purchase") or 0, cur, True)],
        *([["buy-back of a quitter's stock", buyback_words(spec)]]
          if isinstance(spec.get("buyback"), dict) else []),
    ], numeric=(1,)))
    html_ = "".join(body)
    return _wrap(html_) if wrap else html_


# ------------------------------------------------------------------------- scenarios


def scenario_values(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The scenario's values with the documented defaults filled in."""
    spec = scenario.to_dict()
    out: dict[str, dict[str, Any]] = {}
    for section, defaults in SCENARIO_DEFAULTS.items():
        given = spec.get(section) or {}
        out[section] = {k: (given.get(k) if given.get(k) is not None else d)
                        for k, d in defaults.items()}
    w = (spec.get("attrition") or {}).get("weibull")
    if isinstance(w, dict) and w.get("shape") and w.get("scale"):
        # P(still in after t months) = exp(−(t ÷ scale)^shape): the monthly quit probability
        # it implies, for the tables here (the last value repeats after 120 months)
        k, lam = float(w["shape"]), float(w["scale"])
        surv = [math.exp(-((t / lam) ** k)) for t in range(121)]
        out["attrition"]["monthly_quit"] = [
            1 - surv[t] / surv[t - 1] if surv[t - 1] > 0 else 1.0 for t in range(1, 121)]
    out["name"] = {"name": spec.get("name")}
    return out


def extra_settings(scenario: Scenario) -> list[tuple[str, Any]]:
    """Scenario fields set in the file that the tables here do not lay out (newer models:
    a Bass market, a Weibull quit curve, prospecting styles …), as ``(path, value)``."""
    import json as _json

    spec = scenario.to_dict()
    out = []
    for section, given in spec.items():
        if not isinstance(given, dict) or section == "inventory":
            continue  # [inventory] has its own sentence and rows
        known = dict(SCENARIO_DEFAULTS.get(section, {}))
        if section == "purchases" and isinstance(spec.get("inventory"), dict):
            known["consumed_share"] = None  # in the inventory sentence
        for k, v in given.items():
            if k not in known and v is not None:
                out.append((f"{section}.{k}", v if isinstance(v, (int, float, str))
                            else _json.dumps(v, sort_keys=True)))
    return out


def by_tenure(value: Any, months: int) -> list[float]:
    """A table by tenure (a number, or a list whose last value repeats) for ``months``."""
    if isinstance(value, (int, float)):
        return [float(value)] * months
    vals = [float(v) for v in value] or [0.0]
    return [vals[min(i, len(vals) - 1)] for i in range(months)]


def survival_by_tenure(monthly_quit: Any, months: int) -> list[float]:
    """Share still in after t months (t = 1..months) given the quit table."""
    s, out = 1.0, []
    for q in by_tenure(monthly_quit, months):
        s *= 1 - q
        out.append(s)
    return out


def scenario_sentences(scenario: Scenario) -> list[str]:
    """The scenario in plain words (text, not HTML)."""
    v = scenario_values(scenario)
    m, r, a, p, c, e = (v[k] for k in ("market", "recruitment", "attrition", "purchases",
                                       "customers", "expenses"))
    size = (f"in a market of {fmt_count(m['size'])} people who could ever join"
            if m["size"] is not None else "with no limit on the market")
    out = [f"{fmt_count(m['founders'])} founders start in month 1, {size}."]
    rates = by_tenure(r["rate"], 12)
    het = r["heterogeneity"]
    out.append(
        f"A participant recruits on average {rates[0]:.2f} people in their second month"
        + (f", {rates[5]:.2f} in their seventh and {rates[11]:.2f} in their thirteenth"
           if not isinstance(r["rate"], (int, float)) else " and every month after")
        + (f"; recruiting skill varies between people (gamma shape {het:g}: a few recruit many, "
           "most nobody)." if het is not None else "; everyone recruits alike."))
    surv = survival_by_tenure(a["monthly_quit"], 12)
    q1 = by_tenure(a["monthly_quit"], 1)[0]
    out.append(f"{fmt_share(q1)} quit after their first month; {fmt_share(surv[2])} are still "
               f"in after 3 months, {fmt_share(surv[5])} after 6 and {fmt_share(surv[11])} "
               "after 12.")
    out.append(f"A participant orders in {fmt_share(p['probability'], 0)} of months, "
               f"{fmt_money(p['mean'], cents=True)} at wholesale on average (lognormal, "
               f"σ of the log {p['sigma']:g}).")
    if _num(c["acquisition_rate"]):
        out.append(f"Each participant finds {c['acquisition_rate']:g} new retail customers a month"
                   f" on average; {fmt_share(c['churn'], 0)} of customers stop each month; a "
                   f"customer orders in {fmt_share(c['order_probability'], 0)} of months, "
                   f"{fmt_money(c['order_mean'], cents=True)} at retail on average.")
    else:
        out.append("Participants have no retail customers.")
    pt = v["parties"]
    per = by_tenure(pt["per_month"], 120)  # index 0 = the join month
    if any(per) and pt["hosting_share"]:
        when = (f"{per[0]:g} a month on average in their join month, {per[12]:g} in their "
                "thirteenth month" if not isinstance(pt["per_month"], (int, float))
                else f"{per[0]:g} a month on average")
        out.append(f"{fmt_share(pt['hosting_share'], 0)} of participants hold home parties, "
                   f"{when}; a party sells {fmt_money(pt['sales_mean'], cents=True)} at retail "
                   f"on average (lognormal, σ of the log {pt['sales_sigma']:g}), credited to "
                   "the distributor who held it.")
    out.append(f"Business expenses are {fmt_money(e['monthly'], cents=True)} per participant "
               "per month.")
    inv = inventory_words(scenario)
    if inv:
        out.append(inv)
    extra = extra_settings(scenario)
    if extra:
        out.append("Further settings: " + "; ".join(f"{k} = {v}" for k, v in extra) + ".")
        if any(k == "attrition.weibull" for k, _ in extra):
            out.append("Quitting follows that Weibull survival curve; the quit figures above "
                       "are the ones it implies.")
    return out


def _packages_text(packages: list[dict[str, Any]]) -> str:
    parts = [f"{fmt_share(p['share'], 0)} {'none' if not p['cost'] else fmt_money(p['cost'])}"
             for p in packages]
    mean = sum(float(p["cost"]) * float(p["share"]) for p in packages)
    return "; ".join(parts) + f"; mean {fmt_money(mean)}"


def inventory_words(scenario: Scenario) -> str:
    """The scenario's ``[inventory]`` in one sentence, or ``""`` without one."""
    spec = scenario.to_dict()
    inv = spec.get("inventory")
    if not isinstance(inv, dict):
        return ""
    cs = (spec.get("purchases") or {}).get("consumed_share")
    cs = 0.5 if cs is None else cs
    packages = [p for p in inv.get("packages") or []]
    sell = inv.get("sell_from_stock")
    ask = inv.get("buyback_share") or 0
    text = (f"Participants keep stock: of each order they choose, {fmt_share(cs, 0)} is used "
            "and the rest stocked, as is everything bought to meet a minimum or to qualify")
    if any(float(p["cost"]) for p in packages):
        text += f"; a starter package at joining (share of joiners: {_packages_text(packages)})"
    text += ("; retail customers are served from stock first" if sell is None or sell
             else "; customers' orders are all placed with the company")
    text += (f"; {fmt_share(ask, 0)} of those who quit holding stock ask for the plan's "
             "buy-back." if ask else "; nobody asks for a buy-back.")
    return text


def _inventory_rows(scenario: Scenario) -> list[list[str]]:
    spec = scenario.to_dict()
    inv = spec.get("inventory")
    if not isinstance(inv, dict):
        return []
    cs = (spec.get("purchases") or {}).get("consumed_share")
    sell = inv.get("sell_from_stock")
    packages = inv.get("packages") or []
    return [
        ["share of each chosen order used (the rest is stocked)",
         fmt_share(0.5 if cs is None else cs, 0)],
        ["starter packages (share of joiners: cost)",
         _packages_text(packages) if packages else "none"],
        ["retail customers served from stock first", "yes" if sell is None or sell else "no"],
        ["quitters holding stock who ask for a buy-back",
         fmt_share(inv.get("buyback_share") or 0, 0)],
    ]


def _party_rows(pt: dict[str, Any]) -> list[list[str]]:
    """Rows of the scenario table for ``[parties]``; none when nobody holds parties."""
    if not any(by_tenure(pt["per_month"], 120)) or not pt["hosting_share"]:
        return []
    per = pt["per_month"]
    per_text = (f"{per:g}" if isinstance(per, (int, float))
                else " / ".join(f"{float(x):g}" for x in per) + " (by month since joining)")
    return [
        ["parties a month per distributor who holds parties", per_text],
        ["share of participants who hold parties", fmt_share(pt["hosting_share"], 0)],
        ["mean sales of a party at retail", fmt_money(pt["sales_mean"], cents=True)],
        ["σ of the log of a party's sales", f"{pt['sales_sigma']:g}"],
    ]


def tenure_table_months(scenario: Scenario) -> int:
    """How many months since joining the scenario's tables by tenure cover: the longest of
    its recruiting and quit tables (their last value repeats after it), or 12 when both are
    a single number."""
    spec = scenario.to_dict()
    lengths = [len(v) for v in ((spec.get("recruitment") or {}).get("rate"),
                                (spec.get("attrition") or {}).get("monthly_quit"))
               if isinstance(v, list)]
    return max(lengths) if lengths else 12


def scenario_html(scenario: Scenario, wrap: bool = True, months: int | None = None) -> str:
    """An HTML summary of a scenario: founders, market, recruiting, attrition, purchases,
    customers, expenses, parties. The table by months since joining is as long as the
    scenario's longest table by tenure (``months`` to choose)."""
    months = months or tenure_table_months(scenario)
    v = scenario_values(scenario)
    m, r, a, p, c, e = (v[k] for k in ("market", "recruitment", "attrition", "purchases",
                                       "customers", "expenses"))
    name = v["name"]["name"] or "scenario"
    body = [f"<h3>Scenario: {esc(name)}</h3>"]
    body.append(table(["", ""], [
        ["founders (month 1)", fmt_count(m["founders"])],
        ["market size (people who could ever join)",
         fmt_count(m["size"]) if m["size"] is not None else "no limit"],
        ["recruiting skill: gamma shape (smaller = more concentrated)",
         f"{r['heterogeneity']:g}" if r["heterogeneity"] is not None else "everyone alike"],
        ["orders in a month (probability)", fmt_share(p["probability"], 0)],
        ["mean order at wholesale", fmt_money(p["mean"], cents=True)],
        ["σ of the log of an order", f"{p['sigma']:g}"],
        ["new retail customers per participant per month", f"{c['acquisition_rate']:g}"],
        ["customer churn per month", fmt_share(c["churn"], 1)],
        ["customer orders in a month (probability)", fmt_share(c["order_probability"], 0)],
        ["mean customer order at retail", fmt_money(c["order_mean"], cents=True)],
        ["business expenses per participant per month", fmt_money(e["monthly"], cents=True)],
        *_party_rows(v["parties"]),
        *_inventory_rows(scenario),
    ], numeric=(1,)))
    rates = by_tenure(r["rate"], months)
    quits = by_tenure(a["monthly_quit"], months)
    surv = survival_by_tenure(a["monthly_quit"], months)
    body.append("<h4>Recruiting and quitting by months since joining</h4>")
    body.append(table(
        ["month since joining", "expected recruits", "quit probability", "still in after"],
        [[t + 1, f"{rates[t]:.3g}", fmt_share(quits[t]), fmt_share(surv[t])]
         for t in range(months)], numeric=(0, 1, 2, 3)))
    weibull = (scenario.to_dict().get("attrition") or {}).get("weibull")
    spec = scenario.to_dict()
    tables = [v for v in ((spec.get("recruitment") or {}).get("rate"),
                          (spec.get("attrition") or {}).get("monthly_quit"))
              if isinstance(v, list)]
    note = ("Quit probabilities implied by the Weibull curve (attrition.weibull)." if weibull
            else f"The last value repeats after month {months}." if tables
            else "The same every month.")
    body.append(f"<p class=muted>{esc(note)}</p>")
    extra = extra_settings(scenario)
    if extra:
        body.append("<h4>Further settings</h4>")
        body.append(table(["field", "value"], [[k, v] for k, v in extra]))
    html_ = "".join(body)
    return _wrap(html_) if wrap else html_


# ---------------------------------------------------------------------------- results

#: The one definition of "lost money" (analytics.participant_net), used everywhere.
LOST_MONEY = ("lost money (net below −1 after fees, expenses and purchases beyond own use; "
              "kept runs)")

#: How each summary metric is labelled and shown.
RESULT_METRICS = [
    ("payout_ratio", "payout ratio (commissions ÷ volume value)", "share"),
    ("volume_value", "volume value", "money"),
    ("payout", "commissions paid by the company", "money"),
    ("capped", "withheld by the cap", "money"),
    ("retail_profit", "retail margin (paid by customers)", "money"),
    ("host_rewards", "host rewards (paid by the company to party hosts)", "money"),
    ("ever_joined", "everyone who ever joined", "count"),
    ("active_end", "still in at the end", "count"),
    ("share_earning_nothing", "paid nothing by the company", "share"),
    ("lost_money", LOST_MONEY, "share"),
    ("share_net_loss", "fees + expenses above earnings + retail margin (purchases not counted)",
     "share"),
    ("median_earnings", "median commissions per person", "cents"),
    ("mean_earnings", "mean commissions per person", "cents"),
    ("top1_share", "share of commissions to the top 1%", "share"),
]


def _lost_money_row(res: SimulationResult) -> dict[str, dict[str, Any]]:
    """The share who lost money (:func:`downline.analytics.net_results`), when the result
    kept per-person rows."""
    from downline import analytics

    try:
        t = analytics.net_results(res)
    except (analytics.MissingColumnError, ValueError):
        return {}
    row = t.filter(t["metric"] == "share_loss").row(0, named=True)
    return {"lost_money": row}


def has_host_rewards(plan: Plan) -> bool:
    """Whether the plan pays host rewards (a party plan)."""
    return any(kind == "host_rewards" for _, kind, _ in plan.bonuses)


def format_value(x: Any, kind: str, currency: str = "") -> str:
    if kind == "share":
        return fmt_share(x)
    if kind == "money":
        return fmt_money(x, currency)
    if kind == "cents":
        return fmt_money(x, currency, cents=True)
    return fmt_count(x)


def summary_rows(res: SimulationResult) -> list[list[str]]:
    """``[label, median, 5th percentile, 95th percentile]`` of each headline figure."""
    cur = res.plan.currency
    s = {row["metric"]: row for row in res.summary().iter_rows(named=True)}
    hosts = has_host_rewards(res.plan)
    rows = []
    s.update(_lost_money_row(res))
    for key, label, kind in RESULT_METRICS:
        if key not in s or (key == "host_rewards" and not hosts):
            continue
        row = s[key]
        unit = f", {cur}" if kind in ("money", "cents") else ""
        rows.append([label + unit, format_value(row["p50"], kind),
                     format_value(row["p05"], kind), format_value(row["p95"], kind)])
    return rows


def key_figures(res: SimulationResult) -> list[list[str]]:
    """A few more figures (means over runs): payout per bonus, the last month's activity."""
    import polars as pl

    cur = res.plan.currency
    rows: list[list[str]] = []
    kinds = {name: kind for name, kind, _ in res.plan.bonuses}
    b = res.bonuses
    to_host = (pl.col("paid_to") == "host" if "paid_to" in b.columns
               else pl.col("bonus").replace_strict(kinds, default=None) == "host_rewards")
    by_bonus = (b.group_by("bonus", maintain_order=True)
                .agg(pl.col("amount").cast(pl.Float64).sum() / res.n_runs,
                     pl.col("paid_by_company").first(), to_host.first().alias("to_host")))
    for name, amount, by_company, host in by_bonus.iter_rows():
        who = (" (paid by customers)" if not by_company else
               " (paid by the company to party hosts, not commissions)" if host else "")
        rows.append([f"{name}{who}, {cur}, mean per run", fmt_money(amount)])
    last = res.monthly.filter(pl.col("month") == res.months)
    if last.height:
        rows.append([f"participating in month {res.months}, mean",
                     fmt_count(last["active"].cast(pl.Float64).mean())])
        rows.append([f"active (qualified) in month {res.months}, mean",
                     fmt_count(last["qualified"].cast(pl.Float64).mean())])
    if "breakage" in res.monthly.columns:
        total = res.monthly["breakage"].cast(pl.Float64).sum() / res.n_runs
        rows.append([f"breakage (unpaid had everyone qualified), {cur}, mean per run",
                     fmt_money(total)])
    return rows


def result_html(res: SimulationResult, wrap: bool = True) -> str:
    """An HTML summary of a simulation: the headline figures across runs and a few more."""
    scen = res.scenario.to_dict().get("name") or "scenario"
    body = [(f"<h3>{esc(res.plan.name)} under {esc(scen)}: {res.n_runs} runs × "
            f"{res.months} months, seed {res.seed}</h3>")]
    body.append(table(["figure (per run)", "median", "5th pct", "95th pct"], summary_rows(res),
                      numeric=(1, 2, 3)))
    body.append("<h4>Key figures</h4>")
    body.append(table(["", ""], key_figures(res), numeric=(1,)))
    body.append(f"<p class=muted>{res.distributors.height:,} distributor rows kept. "
                "Tables: monthly, bonuses, ranks, runs, distributors.</p>")
    html_ = "".join(body)
    return _wrap(html_) if wrap else html_
