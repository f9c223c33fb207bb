"""Replan stability: how many operations a replan with nothing changed moves.

For each plant size (``med_aps_engine.plantgen``): a first solve gives the plan the shop floor
follows. Then the same problem is planned again, twice, with the same time limit:

* **med_aps replan**: the first plan given as ``previous_plan`` with the default stability
  weight (the previous plan kept where it fits is the first candidate; a move must pay);
* **reference, fresh solve**: what a replan amounted to before (a solve that does not keep
  the previous plan), with another seed, as a planner pressing "replan" again would get.

Both plans are checked by the independent validator; the table shows the operations moved
(other resource or start than the first plan) and the plans' weighted tardiness and
changeover minutes beside the first plan's.
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


def measure(n_jobs, time_limit, workers=2, seed=0):
    solve, options_class = engine_api()
    if solve is None:
        raise ValueError(options_class)
    problem = generate_plant(n_jobs, seed=seed)
    problem["objective"]["stability"] = DEFAULT_OBJECTIVE["stability"]
    first = _solve(solve, options_class, problem, time_limit, workers, seed)
    replan = copy.deepcopy(problem)
    replan["previous_plan"] = {
        row["op"]: {"resource": row["resource"], "start": row["start"]}
        for row in first["operations"]
    }
    kept = _solve(solve, options_class, replan, time_limit, workers, seed + 1)
    fresh = _solve(solve, options_class, problem, time_limit, workers, seed + 1)
    ops = len(first["operations"])
    rows = []
    for label, plan in (("first plan", first), ("med_aps replan", kept), ("fresh solve", fresh)):
        kpis = plan["kpis"]
        moved = 0 if plan is first else _moved(first, plan)
        rows.append(
            {
                "plan": label,
                "operations": ops,
                "moved": moved,
                "moved_pct": 100.0 * moved / ops if ops else 0.0,
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
            ["plan", "ops", "moved", "moved %", "weighted tardiness", "changeover min", "status"],
            [
                [
                    r["plan"],
                    r["operations"],
                    r["moved"],
                    fmt_num(r["moved_pct"], ".1f"),
                    r["weighted_tardiness"],
                    r["changeover_minutes"],
                    r["status"],
                ]
                for r in rows
            ],
        )
        kept = rows[1]
        verdict = (
            "PASS"
            if kept["moved_pct"] <= 2.0
            and (kept["weighted_tardiness"] <= rows[0]["weighted_tardiness"])
            else "FAIL"
        )
        print(f"target: replan moves <= 2% with the same or better tardiness: {verdict}")
    if args.json:
        import json

        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return 0
