"""Holding cost against tardiness for earliness weights (engine only, generated plant).

    python bench/bench_holding.py [--jobs 200] [--weights 0,5,50] [--time-limit 60]
                                  [--workers 2] [--seed 0] [--json FILE]

For each earliness weight the generated medical-device plant (``med_aps_engine.plantgen``)
is solved with the default objective plus ``earliness``; every plan is checked by the
independent validator. The table shows lateness and what the plan holds in stock:

* finished goods from each order's finish to its due date (the delivery), and
* components from each order's material release (its receipt) to its first operation,

priced as in Odoo's holding cost KPI: value x days held x carrying rate / 365, with a
finished order worth ``--fg-value``, its components ``--component-value`` and a carrying
rate of ``--rate`` % per year (the plant generator has no prices; one order = one unit).
"""

import argparse
import json
import sys
import time

from med_aps_engine import SolveOptions, solve, validate
from med_aps_engine.plantgen import generate_plant

DAY = 1440.0


def holding(problem, plan, fg_value, component_value, rate):
    """Tardiness and holding figures of a plan."""
    first_start = {}
    for row in plan["operations"]:
        first_start[row["job"]] = min(first_start.get(row["job"], row["start"]), row["start"])
    releases = {job["id"]: job.get("release") or 0 for job in problem["jobs"]}
    fg_days = early_jobs = 0.0
    for job in plan["jobs"]:
        if job["finish"] is not None and job["due"] is not None and job["finish"] < job["due"]:
            fg_days += (job["due"] - job["finish"]) / DAY
            early_jobs += 1
    material_days = sum(max(0, start - releases[jid]) / DAY for jid, start in first_start.items())
    daily = rate / 100.0 / 365.0
    return {
        "weighted_tardiness_h": plan["kpis"]["total_weighted_tardiness"] / 60.0,
        "late_jobs": plan["kpis"]["late_jobs"],
        "fg_days": fg_days,
        "material_days": material_days,
        "fg_cost": fg_days * fg_value * daily,
        "material_cost": material_days * component_value * daily,
        "holding_cost": (fg_days * fg_value + material_days * component_value) * daily,
        "makespan_days": plan["kpis"]["makespan"] / DAY,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--weights", default="0,5,50")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fg-value", type=float, default=1000.0)
    parser.add_argument("--component-value", type=float, default=400.0)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rows = []
    for weight in [int(w) for w in args.weights.split(",")]:
        problem = generate_plant(args.jobs, seed=args.seed)
        problem["objective"] = dict(problem.get("objective") or {}, earliness=weight)
        start = time.monotonic()
        plan = solve(
            problem, options=SolveOptions(time_limit=args.time_limit, workers=args.workers)
        )
        wall = time.monotonic() - start
        violations = validate(problem, plan)
        row = {"weight": weight, "status": plan["status"], "seconds": wall}
        row["violations"] = len(violations)
        if plan["operations"] and not violations:
            row.update(holding(problem, plan, args.fg_value, args.component_value, args.rate))
        rows.append(row)
        print(f"earliness {weight}: {row}", file=sys.stderr)
    print(
        "| earliness weight | status | valid | late jobs | weighted tardiness (h) | "
        "FG early (order-days) | components waiting (order-days) | holding cost | "
        "makespan (days) | solve (s) |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        if "holding_cost" not in row:
            print(f"| {row['weight']} | {row['status']} | no | | | | | | | {row['seconds']:.0f} |")
            continue
        print(
            f"| {row['weight']} | {row['status']} | yes | {row['late_jobs']} | "
            f"{row['weighted_tardiness_h']:.1f} | {row['fg_days']:.1f} | "
            f"{row['material_days']:.1f} | {row['holding_cost']:.1f} | "
            f"{row['makespan_days']:.1f} | {row['seconds']:.0f} |"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
