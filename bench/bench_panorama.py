"""Production panorama and plan check on a large plant: how long each takes.

Run on a database planned by ``bench_odoo_aps.py --keep`` (its ``<db>_bench_aps`` copy: 1,000
open orders, 5,000 work orders, a med_aps plan), with the current med_aps installed
(``-u med_aps`` once). The reference, measured in the same run on the same data, is Odoo's
own Manufacturing Orders list: the read its list view makes for its first page of 80 orders
(``web_search_read`` with the fields of the default list view).

    python bench/bench_panorama.py -d aps_bench_bench_aps [--repeat 5] -- \\
        --db_host HOST --db_user USER --addons-path ADDONS_PATH

The plan check (``med.aps.plan.check``, every finder) is timed the same way; its target is
1 s, the panorama's 2 s.

Each read runs ``--repeat`` times in a fresh transaction with an empty cache, as a user of
the APS User group; the table shows the first (cold) and the median time.
"""

import argparse
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from bench_odoo_aps import split_odoo_args  # noqa: E402

TARGETS = {"med_aps panorama": 2.0, "med_aps plan check": 1.0}


def parse_args(argv):
    own, odoo_args = split_odoo_args(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="a planned database")
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args(own), odoo_args


def _reader(env):
    """An APS user of the plant's company (created once, kept)."""
    login = "bench_panorama_reader"
    user = env["res.users"].search([("login", "=", login)])
    if not user:
        user = env["res.users"].create(
            {
                "name": "Panorama Bench Reader",
                "login": login,
                "group_ids": [
                    (4, env.ref("med_aps.group_aps_user").id),
                    (4, env.ref("mrp.group_mrp_user").id),
                ],
            }
        )
    return user.id


def _panorama(env):
    data = env["med.aps.panorama"].get_panorama(days=7)
    return "%d open orders, %d rows, %d work centers" % (
        data["summary"]["open"],
        len(data["orders"]),
        len(data["workcenters"]),
    )


def _plan_check(env):
    check = env["med.aps.plan.check"].sudo()._aps_check_company(env.company)
    return "%d issues" % check.issue_count


def _odoo_list(env):
    productions = env["mrp.production"]
    views = productions.get_views([(False, "list")])
    specification = {name: {} for name in views["models"]["mrp.production"]["fields"]}
    result = productions.web_search_read(
        [("state", "in", ("confirmed", "progress", "to_close"))],
        specification,
        limit=80,
    )
    return "%d of %d orders" % (len(result["records"]), result["length"])


def measure(database, repeat):
    import odoo
    from odoo.modules.registry import Registry

    registry = Registry(database)
    with registry.cursor() as cr:
        uid = _reader(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
        # a database just copied and filled by a script has no planner statistics yet (a
        # live one has them from autovacuum): without them PostgreSQL loops over the orders
        cr.execute("ANALYZE mrp_production, mrp_workorder, stock_move, mrp_workcenter")
        cr.commit()
    rows = []
    reads = (
        ("med_aps panorama", _panorama),
        ("med_aps plan check", _plan_check),
        ("Odoo MO list, first page", _odoo_list),
    )
    for label, read in reads:
        times, what = [], ""
        for _round in range(repeat):
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, uid, {})
                start = time.perf_counter()
                what = read(env)
                times.append(time.perf_counter() - start)
                cr.rollback()
        rows.append((label, times[0], statistics.median(times), what))
    return rows


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    rows = measure(args.database, args.repeat)
    print("| read | first (s) | median of %d (s) | what |" % args.repeat)
    print("|---|---:|---:|---|")
    for label, first, median, what in rows:
        print("| %s | %.2f | %.2f | %s |" % (label, first, median, what))
    failed = False
    for label, first, _median, _what in rows:
        if label in TARGETS:
            ok = first <= TARGETS[label]
            failed = failed or not ok
            print(
                "Target: %s <= %.0f s on the first (cold) read: %s (%.2f s)"
                % (label, TARGETS[label], "PASS" if ok else "FAIL", first)
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
