"""Replan stability: how many operations a replan with nothing changed moves.

For each plant size (``med_aps_engine.plantgen``): a first solve gives the plan the shop floor
follows. Then the same problem is planned again with the same time limit:

* **replan, stability W** (the default weight): the first plan given as ``previous_plan``; the
  previous plan kept where it fits is the first candidate and every move must pay W;
* **replan again**: the same once more, from the first replan (two replans in a row);
* **replan, stability 0**: the first plan given as ``previous_plan`` but moves cost nothing
  (what a replan amounted to before the stability weight mattered);
* **fresh solve**: no previous plan at all, another seed.

Every plan is checked by the independent validator. The table shows the operations moved
(other resource or start than the plan it replans), how many of them were forced or improving
and how many of those only pushed later by the work before them (``plan["moves"]``:
``forced``, ``improving``, ``followed``), the objective without the cost of moves (lateness,
makespan, changeovers: the same measure for every row) and with the moves priced at the
default weight.
"""

import copy

from med_aps_engine.plantgen import generate_plant
from med_aps_engine.problem import DEFAULT_OBJECTIVE
from med_aps_engine.validator import validate

from . import engine_api, fmt_num, print_table


def _moved(first, second):
    before = {row["op"]: (row["resource"], row["start"]) for row in first["operations"]}
    return sum(
        1
        for row in second["operations"]
        if before.get(row["op"]) != (row["resource"], row["start"])
    )


def _solve(solve, options_class, problem, time_limit, workers, seed):
    plan = solve(problem, options_class(time_limit=time_limit, workers=workers, seed=seed))
    violations = validate(problem, plan)
    if violations:
        raise ValueError(f"invalid plan: {violations[0]}")
    return plan


def _replan(problem, plan, stability):
    replan = copy.deepcopy(problem)
    replan["previous_plan"] = {
        row["op"]: {"resource": row["resource"], "start": row["start"]}
        for row in plan["operations"]
    }
    replan["objective"]["stability"] = stability
    return replan


def measure(n_jobs, time_limit, workers=2, seed=0):
    solve, options_class = engine_api()
    if solve is None:
        raise ValueError(options_class)
    weight = DEFAULT_OBJECTIVE["stability"]
    problem = generate_plant(n_jobs, seed=seed)
    problem["objective"]["stability"] = weight
    first = _solve(solve, options_class, problem, time_limit, workers, seed)
    kept = _solve(
        solve, options_class, _replan(problem, first, weight), time_limit, workers, seed + 1
    )
    again = _solve(
        solve, options_class, _replan(problem, kept, weight), time_limit, workers, seed + 2
    )
    loose = _solve(solve, options_class, _replan(problem, first, 0), time_limit, workers, seed + 1)
    fresh = _solve(solve, options_class, problem, time_limit, workers, seed + 1)
    ops = len(first["operations"])
    rows = []
    for label, plan, base, used in (
        ("first plan", first, None, weight),
        (f"replan, stability {weight}", kept, first, weight),
        ("replan again", again, kept, weight),
        ("replan, stability 0", loose, first, 0),
        ("fresh solve", fresh, first, weight),
    ):
        kpis = plan["kpis"]
        moved = 0 if base is None else _moved(base, plan)
        moves = plan.get("moves") or {}
        counted = kpis.get("moved_operations", 0)
        plain = plan["objective"] - used * counted
        rows.append(
            {
                "plan": label,
                "operations": ops,
                "moved": moved,
                "moved_pct": 100.0 * moved / ops if ops else 0.0,
                "forced": len(moves.get("forced") or []),
                "improving": len(moves.get("improving") or []),
                "followed": len(moves.get("followed") or []),
                "objective": plain,
                "objective_with_moves": plain + weight * moved,
                "weighted_tardiness": kpis["total_weighted_tardiness"],
                "changeover_minutes": kpis["changeover_minutes"],
                "status": plan["status"],
            }
        )
    return rows


def run(args):
    sizes = [int(x) for x in args.jobs.split(",") if x.strip()]
    time_limit = args.time_limit or 30.0
    results = {}
    for n_jobs in sizes:
        rows = measure(n_jobs, time_limit, args.workers, args.seed)
        results[n_jobs] = rows
        print(f"\nplant {n_jobs} jobs, {time_limit:.0f} s per solve, {args.workers} workers")
        print_table(
            [
                "plan",
                "ops",
                "moved",
                "moved %",
                "forced",
                "improving",
                "of which pushed",
                "objective",
                "objective incl. moves",
                "weighted tardiness",
                "changeover min",
                "status",
            ],
            [
                [
                    r["plan"],
                    r["operations"],
                    r["moved"],
                    fmt_num(r["moved_pct"], ".1f"),
                    r["forced"],
                    r["improving"],
                    r["followed"],
                    r["objective"],
                    r["objective_with_moves"],
                    r["weighted_tardiness"],
                    r["changeover_minutes"],
                    r["status"],
                ]
                for r in rows
            ],
        )
        first, kept, again = rows[0], rows[1], rows[2]
        verdict = (
            "PASS"
            if max(kept["moved_pct"], again["moved_pct"]) <= 2.0
            and kept["objective"] <= first["objective"]
            and again["objective"] <= kept["objective"]
            else "FAIL"
        )
        print(
            "target: each replan moves <= 2% with the same or a better objective "
            f"(moves not counted): {verdict}"
        )
    if args.json:
        import json

        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return 0
