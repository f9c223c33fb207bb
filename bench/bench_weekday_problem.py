"""The bench plant's engine problem as if its orders were created and planned at another
time of the week, for engine runs by the weekday of planning.

Run on a database built by ``bench_odoo_aps.py --keep`` (its ``<db>_bench_aps`` copy):

    python bench/bench_weekday_problem.py -d aps_bench_bench_aps \\
        --origin 2026-12-09T12:41 --out wednesday.json -- \\
        --db_host HOST --db_user USER --addons-path ADDONS_PATH
    med-aps solve wednesday.json --time-limit 20 --seed 1

Each order's deadline is put at the same distance from the origin as from the order's
creation, and the planner's problem builder reads the open bench orders at that origin (UTC,
naive ISO date and time). The previous plan is left out (a plan made from scratch, as the
first plan of orders created then). Nothing is written to the database.
"""

import argparse
import json
import sys
from datetime import datetime

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from bench_odoo_aps import BENCH_ORIGIN, _problem_for, split_odoo_args  # noqa: E402


def parse_args(argv):
    own, odoo_args = split_odoo_args(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="a database with the bench plant")
    parser.add_argument(
        "--origin",
        required=True,
        type=datetime.fromisoformat,
        help="plan origin, UTC (e.g. 2026-12-09T12:41)",
    )
    parser.add_argument("--out", required=True, help="the problem's JSON file")
    return parser.parse_args(own), odoo_args


def weekday_problem(database, origin):
    """The engine problem of the open bench orders planned from scratch at ``origin``."""
    import odoo
    from odoo.modules.registry import Registry

    with Registry(database).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        productions = env["mrp.production"].search(
            [("origin", "=", BENCH_ORIGIN), ("state", "=", "confirmed")]
        )
        if not productions:
            raise SystemExit("%s has no open bench orders (origin %s)" % (database, BENCH_ORIGIN))
        for production in productions.filtered("date_deadline"):
            production.date_deadline = origin + (production.date_deadline - production.create_date)
        raw, _scope = _problem_for(env, productions, origin)
        cr.rollback()
    raw["previous_plan"] = {}
    raw["objective"]["stability"] = 0
    return raw


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    raw = weekday_problem(args.database, args.origin)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(raw, handle)
    operations = sum(len(job["operations"]) for job in raw["jobs"])
    print(
        "%d orders, %d operations, origin %s (%s): %s"
        % (len(raw["jobs"]), operations, raw["origin"], args.origin.strftime("%A"), args.out)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
