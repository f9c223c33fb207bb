#!/usr/bin/env python3
"""Holding cost against tardiness for earliness weights, on the Odoo bench plant.

Builds the plant of ``bench_odoo_aps.py`` (N confirmed manufacturing orders, five work
orders each) with components (resin at molding, blister film at packaging, part on hand and
the rest in weekly receipts) and product costs, in a copy of a real Odoo database, then for
each earliness weight plans a fresh copy of it with one med_aps run over all orders (the
same time limit each) and prints per weight:

* weighted tardiness, late orders and makespan, measured on the plan read back from the
  work orders and checked by the engine's independent validator (as ``bench_odoo_aps.py``);
* the run's holding cost KPI (``med.aps.holding.kpi``), components and finished goods, at
  the company's carrying rate ``--rate`` % per year. The orders are made to stock: their
  finished goods are held from the planned finish to the order's deadline.

Usage (a database with ``med_aps`` installed, without demo data; Odoo's Python)::

    python bench/bench_holding_odoo.py -d DB --mos 1000 --time-limit 60 --weights 0,5,50 \\
        -- --db_host 127.0.0.1 --db_user odoo --addons-path ADDONS_PATH

Arguments after ``--`` go to Odoo's configuration parser. The copies are named
``DB_hold_src`` and ``DB_hold_w<weight>`` and dropped at the end unless ``--keep``.
"""

import argparse
import json
import sys
import time

from bench_odoo_aps import (
    _bench_orders,
    _drop,
    _duplicate,
    _with_env,
    build_plant,
    kpis,
    split_odoo_args,
)


def parse_args(argv):
    own, odoo_args = split_odoo_args(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="database with med_aps")
    parser.add_argument("--mos", type=int, default=1000, help="manufacturing orders")
    parser.add_argument("--time-limit", type=float, default=60.0, help="med_aps solver s")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--weights", default="0,5,50", help="earliness weights")
    parser.add_argument("--rate", type=float, default=20.0, help="carrying rate, %% a year")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--due-days",
        type=float,
        default=45.0,
        help="days the due dates spread over per 1,000 orders (45: the bench plant's load)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser.parse_args(own), odoo_args


def build(env, mos, seed, rate, due_days):
    size = build_plant(env, mos, seed, components=True, due_days_per_1000=due_days)
    env.company.aps_carrying_rate = rate
    return size


def plan_and_measure(env, weight, time_limit, workers):
    """One med_aps run with earliness weight ``weight``; its KPIs, validated."""
    from odoo import Command

    from odoo.addons.med_aps.services.plan_reader import PlanReader
    from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

    from med_aps_engine import validate

    productions = _bench_orders(env)
    run = env["med.aps.run"].create(
        {
            "trigger": "api",
            "company_id": productions.company_id[:1].id,
            "production_ids": [Command.set(productions.ids)],
            "time_limit": time_limit,
            "workers": workers,
            "weight_earliness": weight,
        }
    )
    env.cr.commit()
    start = time.perf_counter()
    run._process_now()
    env.flush_all()
    env.cr.commit()
    total = time.perf_counter() - start
    if run.state != "done":
        raise RuntimeError("run %s ended %s: %s" % (run.name, run.state, run.failure_reason))
    problem, scope = ProblemBuilder(run, origin=run.plan_origin).build()
    plan = PlanReader(scope).read_plan()
    result = kpis(problem, plan, validate(problem, plan))
    holding = env["med.aps.holding.kpi"].search([("run_id", "=", run.id)])
    by_kind = {
        kind: sum(holding.filtered(lambda k, kind=kind: k.kind == kind).mapped("holding_cost"))
        for kind in ("component", "finished")
    }
    days = {
        kind: sum(k.days * k.value for k in holding.filtered(lambda k, kind=kind: k.kind == kind))
        / (sum(holding.filtered(lambda k, kind=kind: k.kind == kind).mapped("value")) or 1.0)
        for kind in ("component", "finished")
    }
    env.cr.rollback()  # the read-back run is not part of the benchmark
    result.update(
        weight=weight,
        solver_status=run.solver_status,
        holding_cost=run.holding_cost,
        component_cost=by_kind["component"],
        finished_cost=by_kind["finished"],
        component_days=days["component"],
        finished_days=days["finished"],
        read_s=run.read_seconds,
        solve_s=run.solve_seconds,
        write_s=run.write_seconds,
        total_s=total,
    )
    return result


def report(size, rows):
    lines = [
        "%d manufacturing orders, %d work orders" % (size["mos"], size["workorders"]),
        "",
        "| earliness weight | status | violations | late MOs | weighted tardiness (h) "
        "| makespan (h) | components held (days) | finished held (days) "
        "| holding components | holding finished | holding cost | solve (s) | run (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            "| %d | %s | %d | %d | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |"
            % (
                row["weight"],
                row["solver_status"],
                row["violations"],
                row["late_mos"],
                row["weighted_tardiness_h"],
                row["makespan_h"],
                row["component_days"],
                row["finished_days"],
                row["component_cost"],
                row["finished_cost"],
                row["holding_cost"],
                row["solve_s"],
                row["total_s"],
            )
        )
    return "\n".join(lines)


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    weights = [int(weight) for weight in args.weights.split(",")]
    source = "%s_hold_src" % args.database
    copies = ["%s_hold_w%d" % (args.database, weight) for weight in weights]
    try:
        _duplicate(args.database, source)
        start = time.perf_counter()
        size = _with_env(source, build, args.mos, args.seed, args.rate, args.due_days)
        print(
            "Plant built in %.1f s: %d orders, %d work orders"
            % (time.perf_counter() - start, size["mos"], size["workorders"]),
            flush=True,
        )
        rows = []
        for weight, copy in zip(weights, copies, strict=True):
            _duplicate(source, copy)
            rows.append(_with_env(copy, plan_and_measure, weight, args.time_limit, args.workers))
            print("weight %d done: %s" % (weight, json.dumps(rows[-1], default=str)), flush=True)
        print(report(size, rows))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump({"size": size, "results": rows}, handle, indent=2, default=str)
    finally:
        if not args.keep:
            for name in (source, *copies):
                _drop(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
