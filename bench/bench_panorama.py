"""Production panorama on a large plant: how long its one server read takes.

Run on a database planned by ``bench_odoo_aps.py --keep`` (its ``<db>_bench_aps`` copy: 1,000
open orders, 5,000 work orders, a med_aps plan), with the current med_aps installed
(``-u med_aps`` once). The reference, measured in the same run on the same data, is Odoo's
own Manufacturing Orders list: the read its list view makes for its first page of 80 orders
(``web_search_read`` with the fields of the default list view).

    python bench/bench_panorama.py -d aps_bench_bench_aps [--repeat 5] -- \\
        --db_host HOST --db_user USER --addons-path ADDONS_PATH

Each read runs ``--repeat`` times in a fresh transaction with an empty cache, as a user of
the APS User group; the table shows the first (cold) and the median time.
"""

import argparse
import statistics
import sys
import time

TARGET_SECONDS = 2.0


def parse_args(argv):
    if "--" in argv:
        index = argv.index("--")
        own, odoo_args = argv[:index], argv[index + 1 :]
    else:
        own, odoo_args = argv, []
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


def _odoo_list(env):
    productions = env["mrp.production"]
    view = productions.get_views([(False, "list")])["views"]["list"]
    specification = {name: {} for name in view["models"]["mrp.production"]}
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
        cr.commit()
    rows = []
    for label, read in (("med_aps panorama", _panorama), ("Odoo MO list, first page", _odoo_list)):
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
    panorama = rows[0]
    verdict = "PASS" if panorama[1] <= TARGET_SECONDS else "FAIL"
    print(
        "Target: the panorama's read <= %.0f s on the first (cold) read: %s (%.2f s)"
        % (TARGET_SECONDS, verdict, panorama[1])
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
