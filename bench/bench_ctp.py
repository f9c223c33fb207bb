"""Capable-to-promise on the 1,000-order bench plant: how long a promise date takes.

Run on a database planned by ``bench_odoo_aps.py --keep`` (its ``<db>_bench_aps`` copy:
1,000 open orders, about 5,000 planned work orders) with ``med_aps_sale`` installed. For each
bench product (four families) and two quantities, the promise a sale order line gets
(``sale.order.line._aps_promise_for``, what the line's button and ``api_promise_date`` call)
is computed and timed end to end: reading the new demand and the plan it must fit in, the
solve, the reason. Each plan behind a promise is checked by the engine's validator, and the
plant's plan must be unchanged afterwards (no order, work order or reservation written).

    python bench/bench_ctp.py -d aps_bench_bench_aps [--json out.json] -- \\
        --db_host HOST --db_user USER --addons-path ADDONS_PATH
"""

import argparse
import json
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from bench_odoo_aps import BENCH_ORIGIN, _with_env, split_odoo_args  # noqa: E402

TARGET_SECONDS = 10.0
QUANTITIES = (10, 200)


def parse_args(argv):
    own, odoo_args = split_odoo_args(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="a planned bench database")
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser.parse_args(own), odoo_args


def _state(env):
    env.cr.execute(
        "SELECT count(*), md5(string_agg(id || ':' || workcenter_id || ':' || "
        "coalesce(date_start::text, ''), ',' ORDER BY id)) FROM mrp_workorder"
    )
    workorders = env.cr.fetchone()
    env.cr.execute("SELECT count(*) FROM mrp_production")
    return {"workorders": list(workorders), "productions": env.cr.fetchone()[0]}


def promise_all(env):
    from med_aps_engine import validate

    productions = env["mrp.production"].search(
        [("origin", "=", BENCH_ORIGIN), ("state", "=", "confirmed")]
    )
    if not productions:
        raise SystemExit("no bench order: run bench_odoo_aps.py --keep first")
    products = productions.product_id.sorted("id")
    company = productions[0].company_id
    env.cr.execute(
        "SELECT count(*) FROM mrp_workorder WHERE state NOT IN ('done', 'cancel') "
        "AND date_start IS NOT NULL"
    )
    planned = env.cr.fetchone()[0]
    before = _state(env)
    Line = env["sale.order.line"]
    rows = []
    for product in products[:4]:
        for quantity in QUANTITIES:
            start = time.perf_counter()
            result = Line._aps_promise_for(product, quantity, company, "CTP bench")
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "product": product.display_name,
                    "quantity": quantity,
                    "seconds": seconds,
                    "date": str(result["date"]),
                    "kind": result["kind"],
                    "reason": result["reason"],
                    "operations": len(result["plan"]["operations"]),
                    "violations": len(validate(result["problem"], result["plan"])),
                }
            )
            print(
                "%-28s %5s  %6.2f s  %s  %s"
                % (product.display_name[:28], quantity, seconds, result["date"], result["reason"])
            )
    after = _state(env)
    env.cr.rollback()
    return {"planned_workorders": planned, "rows": rows, "plan_unchanged": before == after}


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    results = _with_env(args.database, promise_all)
    seconds = [row["seconds"] for row in results["rows"]]
    summary = {
        "promises": len(seconds),
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "target_s": TARGET_SECONDS,
        "violations": sum(row["violations"] for row in results["rows"]),
        "plan_unchanged": results["plan_unchanged"],
        "planned_workorders": results["planned_workorders"],
    }
    results["summary"] = summary
    print(json.dumps(summary, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2, default=str)
    return 0 if summary["max_s"] <= TARGET_SECONDS and not summary["violations"] else 1


if __name__ == "__main__":
    sys.exit(main())
