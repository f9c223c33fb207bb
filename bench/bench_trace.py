#!/usr/bin/env python3
"""Benchmark: med_trace genealogy vs Odoo's traceability report.

Generates (once, with SQL bulk inserts cloned from real ORM-made template
records) a database with N move lines organised in 10-level genealogies,
then traces one finished lot backward and forward with med_trace
(``stock.lot._med_trace_graph``) and unfolds Odoo's own traceability
report (``stock.traceability.report.get_lines``) for the same lot, every
level, in one run.

Usage (database with med_trace installed, Odoo's Python)::

    python bench/bench_trace.py -d DB --lines 20000 -- \
        --db_host 127.0.0.1 --db_user odoo --addons-path ADDONS_PATH

Arguments after ``--`` go to Odoo's configuration parser.

Shape of the data: ``chains`` genealogies; level k (1..levels) of a chain is
a lot of product ``BENCH-Pk`` made by one MO from the level k-1 lot of the
chain plus one lot of a shared additive ``BENCH-ADD`` (each additive lot is
used by many MOs, which gives wide downstream traces). Every produced lot
also moves ``transfers`` times between internal locations, the top lot is
delivered to a customer. Move lines per chain:
``3 * levels + 1 (receipt) + transfers * levels + 1 (delivery)``.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta

BENCH_PREFIX = "BENCH"


def parse_args(argv):
    if "--" in argv:
        index = argv.index("--")
        own, odoo_args = argv[:index], argv[index + 1 :]
    else:
        own, odoo_args = argv, []
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--lines", type=int, default=1_000_000, help="target move lines")
    parser.add_argument("--levels", type=int, default=10)
    parser.add_argument("--transfers", type=int, default=2)
    parser.add_argument("--additives", type=int, default=0, help="0 = chains / 10")
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--skip-odoo", action="store_true", help="do not run Odoo's report")
    parser.add_argument("--json", help="write the results to this file")
    return parser.parse_args(own), odoo_args


class Cloner:
    """INSERT ... SELECT copies of a template row with some columns replaced."""

    def __init__(self, cr):
        self.cr = cr
        self.columns = {}

    def _columns(self, table):
        if table not in self.columns:
            self.cr.execute(
                """SELECT column_name, data_type FROM information_schema.columns
                    WHERE table_name = %s AND table_schema = current_schema()""",
                [table],
            )
            self.columns[table] = dict(self.cr.fetchall())
        return self.columns[table]

    def reserve_ids(self, table, count):
        self.cr.execute("SELECT nextval(%s)", ["%s_id_seq" % table])
        first = self.cr.fetchone()[0]
        self.cr.execute("SELECT setval(%s, %s)", ["%s_id_seq" % table, first + count])
        return first

    def clone(self, table, template_id, overrides):
        """``overrides``: dict column -> list of values (same length, 'id' included)."""
        columns = self._columns(table)
        names = list(overrides)
        count = len(overrides["id"])
        if not count:
            return
        casts = {
            "integer": "int4",
            "bigint": "int8",
            "character varying": "varchar",
            "text": "text",
            "numeric": "numeric",
            "double precision": "float8",
            "timestamp without time zone": "timestamp",
            "date": "date",
            "boolean": "bool",
        }
        unnest = ", ".join("%%s::%s[]" % casts[columns[name]] for name in names)
        select = ", ".join(
            'o."%s"' % name if name in overrides else 't."%s"' % name for name in columns
        )
        query = 'INSERT INTO "%s" (%s) SELECT %s FROM unnest(%s) AS o(%s) CROSS JOIN ' % (
            table,
            ", ".join('"%s"' % name for name in columns),
            select,
            unnest,
            ", ".join('"%s"' % name for name in names),
        )
        query += '(SELECT * FROM "%s" WHERE id = %%s) t' % table
        self.cr.execute(query, [overrides[name] for name in names] + [template_id])


def ensure_templates(env, levels):
    """Products, BoMs and one real ORM-made chain used as row templates."""
    from odoo import Command

    Product = env["product.product"]
    existing = Product.search([("default_code", "=like", BENCH_PREFIX + "-%")])
    if existing:
        return
    uom = env.ref("uom.product_uom_unit")
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    stock = warehouse.lot_stock_id
    shelf = env["stock.location"].create({"name": "BENCH shelf", "location_id": stock.id})
    supplier = env["res.partner"].create({"name": "BENCH supplier"})
    customer = env["res.partner"].create({"name": "BENCH customer"})

    def product(code):
        return Product.create(
            {
                "name": "Bench %s" % code,
                "default_code": "%s-%s" % (BENCH_PREFIX, code),
                "is_storable": True,
                "tracking": "lot",
                "uom_id": uom.id,
            }
        )

    products = [product("P%d" % level) for level in range(levels + 1)]
    additive = product("ADD")
    for level in range(1, levels + 1):
        env["mrp.bom"].create(
            {
                "product_tmpl_id": products[level].product_tmpl_id.id,
                "product_id": products[level].id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": products[level - 1].id, "product_qty": 1}),
                    Command.create({"product_id": additive.id, "product_qty": 1}),
                ],
            }
        )

    def picking(picking_type, source, dest, prod, lot, partner=None):
        record = env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner and partner.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": prod.id,
                            "product_uom_qty": 1,
                            "product_uom": uom.id,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        record.action_confirm()
        record.move_ids.move_line_ids.unlink()
        env["stock.move.line"].create(
            {
                "move_id": record.move_ids.id,
                "picking_id": record.id,
                "product_id": prod.id,
                "lot_id": lot.id,
                "quantity": 1,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "picked": True,
            }
        )
        record.button_validate()
        return record

    supplier_location = env.ref("stock.stock_location_suppliers")
    customer_location = env.ref("stock.stock_location_customers")
    lot = env["stock.lot"].create({"name": "BENCH-T-P0", "product_id": products[0].id})
    add_lot = env["stock.lot"].create({"name": "BENCH-T-ADD", "product_id": additive.id})
    picking(warehouse.in_type_id, supplier_location, stock, products[0], lot, supplier)
    for _ in range(levels):
        picking(warehouse.in_type_id, supplier_location, stock, additive, add_lot, supplier)
    for level in range(1, levels + 1):
        new_lot = env["stock.lot"].create(
            {"name": "BENCH-T-P%d" % level, "product_id": products[level].id}
        )
        production = env["mrp.production"].create(
            {"product_id": products[level].id, "product_qty": 1}
        )
        production.action_confirm()
        production.action_assign()
        production.lot_producing_ids = new_lot
        production.qty_producing = 1
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        lot = new_lot
    picking(warehouse.int_type_id, stock, shelf, products[-1], lot)
    picking(warehouse.int_type_id, shelf, stock, products[-1], lot)
    picking(warehouse.out_type_id, stock, customer_location, products[-1], lot, customer)
    env.cr.commit()


def generate(env, args):
    cr = env.cr
    cr.execute("SELECT count(*) FROM stock_move_line")
    existing = cr.fetchone()[0]
    per_chain = 3 * args.levels + 1 + args.transfers * args.levels + 1
    chains = max(1, (args.lines - existing) // per_chain)
    if existing >= args.lines * 0.95:
        return existing, 0
    ensure_templates(env, args.levels)
    additives = args.additives or max(1, chains // 10)
    products = {
        p.default_code: p
        for p in env["product.product"].search([("default_code", "=like", BENCH_PREFIX + "-%")])
    }
    template_lot = env["stock.lot"].search([("name", "=", "BENCH-T-P1")])
    template_mo = env["mrp.production"].search([("lot_producing_ids", "in", template_lot.ids)])
    finished_move = template_mo.move_finished_ids[:1]
    raw_move = template_mo.move_raw_ids[:1]
    finished_ml = finished_move.move_line_ids[:1]
    raw_ml = raw_move.move_line_ids[:1]
    template_p0 = env["stock.lot"].search([("name", "=", "BENCH-T-P0")])
    receipt_ml = env["stock.move.line"].search(
        [("lot_id", "=", template_p0.id), ("location_id.usage", "=", "supplier")], limit=1
    )
    top_lot = env["stock.lot"].search([("name", "=", "BENCH-T-P%d" % args.levels)])
    internal_ml = env["stock.move.line"].search(
        [("lot_id", "=", top_lot.id), ("picking_code", "=", "internal")], limit=1
    )
    delivery_ml = env["stock.move.line"].search(
        [("lot_id", "=", top_lot.id), ("location_dest_id.usage", "=", "customer")], limit=1
    )
    cloner = Cloner(cr)
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM mrp_production")
    run = int(time.time())
    base_date = datetime(2025, 1, 1)

    # additive lots
    add_first = cloner.reserve_ids("stock_lot", additives)
    add_ids = list(range(add_first, add_first + additives))
    cloner.clone(
        "stock_lot",
        template_lot.id,
        {
            "id": add_ids,
            "name": ["BENCH-%s-ADD-%d" % (run, i) for i in range(additives)],
            "product_id": [products["BENCH-ADD"].id] * additives,
        },
    )
    done = 0
    chain_index = 0
    while chain_index < chains:
        batch = min(max(1, args.batch // per_chain), chains - chain_index)
        n_lots = batch * (args.levels + 1)
        lot_first = cloner.reserve_ids("stock_lot", n_lots)
        lot_ids, lot_names, lot_products = [], [], []
        for c in range(batch):
            for level in range(args.levels + 1):
                lot_ids.append(lot_first + c * (args.levels + 1) + level)
                lot_names.append("BENCH-%s-C%d-L%d" % (run, chain_index + c, level))
                lot_products.append(products["BENCH-P%d" % level].id)
        cloner.clone(
            "stock_lot",
            template_lot.id,
            {"id": lot_ids, "name": lot_names, "product_id": lot_products},
        )
        n_mos = batch * args.levels
        mo_first = cloner.reserve_ids("mrp_production", n_mos)
        mo_rows = {"id": [], "name": [], "product_id": [], "date_start": [], "date_finished": []}
        # moves: finished, raw(prev), raw(additive) per MO; receipt; transfers; delivery
        moves = {
            "finished": {"id": [], "production_id": [], "product_id": [], "date": []},
            "raw": {
                "id": [],
                "raw_material_production_id": [],
                "product_id": [],
                "date": [],
            },
            "receipt": {"id": [], "product_id": [], "date": []},
            "internal": {"id": [], "product_id": [], "date": []},
            "delivery": {"id": [], "product_id": [], "date": []},
        }
        lines = {
            key: {"id": [], "move_id": [], "lot_id": [], "product_id": [], "date": []}
            for key in moves
        }
        lines["finished"]["production_id"] = []
        rel = ([], [])
        n_moves = n_mos * 3 + batch * (2 + args.transfers * args.levels)
        move_id = cloner.reserve_ids("stock_move", n_moves)
        line_id = cloner.reserve_ids("stock_move_line", n_moves)

        def add(kind, product_id, lot_id, date, _moves=moves, _lines=lines, **extra):
            nonlocal move_id, line_id
            _moves[kind]["id"].append(move_id)
            _moves[kind]["product_id"].append(product_id)
            _moves[kind]["date"].append(date)
            for key, value in extra.items():
                _moves[kind][key].append(value)
            _lines[kind]["id"].append(line_id)
            _lines[kind]["move_id"].append(move_id)
            _lines[kind]["lot_id"].append(lot_id)
            _lines[kind]["product_id"].append(product_id)
            _lines[kind]["date"].append(date)
            if kind == "finished":
                _lines[kind]["production_id"].append(extra["production_id"])
            move_id += 1
            line_id += 1
            return line_id - 1

        for c in range(batch):
            chain = chain_index + c
            chain_lots = lot_ids[c * (args.levels + 1) : (c + 1) * (args.levels + 1)]
            date = base_date + timedelta(minutes=chain)
            add("receipt", products["BENCH-P0"].id, chain_lots[0], date)
            for level in range(1, args.levels + 1):
                mo_id = mo_first + c * args.levels + level - 1
                date = base_date + timedelta(minutes=chain, hours=level * 2)
                mo_rows["id"].append(mo_id)
                mo_rows["name"].append("BENCH/%s/MO/%d/%d" % (run, chain, level))
                mo_rows["product_id"].append(products["BENCH-P%d" % level].id)
                mo_rows["date_start"].append(date)
                mo_rows["date_finished"].append(date)
                comp1 = add(
                    "raw",
                    products["BENCH-P%d" % (level - 1)].id,
                    chain_lots[level - 1],
                    date,
                    raw_material_production_id=mo_id,
                )
                additive_lot = add_ids[(chain * args.levels + level) % additives]
                comp2 = add(
                    "raw",
                    products["BENCH-ADD"].id,
                    additive_lot,
                    date,
                    raw_material_production_id=mo_id,
                )
                fin = add(
                    "finished",
                    products["BENCH-P%d" % level].id,
                    chain_lots[level],
                    date,
                    production_id=mo_id,
                )
                rel[0].extend([fin, fin])
                rel[1].extend([comp1, comp2])
                for t in range(args.transfers):
                    add(
                        "internal",
                        products["BENCH-P%d" % level].id,
                        chain_lots[level],
                        date + timedelta(minutes=10 + t),
                    )
            add(
                "delivery",
                products["BENCH-P%d" % args.levels].id,
                chain_lots[-1],
                base_date + timedelta(minutes=chain, hours=args.levels * 2 + 1),
            )
        cloner.clone("mrp_production", template_mo.id, mo_rows)
        templates = {
            "finished": (finished_move, finished_ml),
            "raw": (raw_move, raw_ml),
            "receipt": (receipt_ml.move_id, receipt_ml),
            "internal": (internal_ml.move_id, internal_ml),
            "delivery": (delivery_ml.move_id, delivery_ml),
        }
        for kind, (move_template, line_template) in templates.items():
            cloner.clone("stock_move", move_template.id, moves[kind])
            cloner.clone("stock_move_line", line_template.id, lines[kind])
            done += len(lines[kind]["id"])
        cr.execute(
            """INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id)
               SELECT * FROM unnest(%s::int[], %s::int[])""",
            rel,
        )
        cr.commit()
        chain_index += batch
        print("generated %d/%d chains, %d move lines" % (chain_index, chains, done), flush=True)
    cr.execute("ANALYZE stock_move_line")
    cr.execute("ANALYZE stock_move_line_consume_rel")
    cr.execute("ANALYZE stock_move")
    cr.commit()
    return existing + done, chains


def unfold_odoo_report(env, lot):
    """All levels of Odoo's traceability report for ``lot``, like unfolding every row."""
    report = env["stock.traceability.report"].with_context(active_id=lot.id, model="stock.lot")
    todo = list(report.get_lines())
    seen = set()
    count = 0
    while todo:
        line = todo.pop()
        count += 1
        key = (line["model"], line["model_id"])
        if line["unfoldable"] and key not in seen:
            seen.add(key)
            todo.extend(
                report.get_lines(
                    line_id=line["id"],
                    model_name=line["model"],
                    model_id=line["model_id"],
                    level=line["level"] + 1,
                )
            )
    return count


def measure(env, args):
    cr = env.cr
    cr.execute("SELECT count(*) FROM stock_move_line")
    total_lines = cr.fetchone()[0]
    cr.execute(
        """SELECT l.id FROM stock_lot l JOIN product_product p ON p.id = l.product_id
            WHERE p.default_code = %s AND l.name LIKE 'BENCH-%%-C%%' ORDER BY l.id DESC LIMIT 1""",
        ["BENCH-P%d" % args.levels],
    )
    top = env["stock.lot"].browse(cr.fetchone()[0])
    cr.execute(
        """SELECT l.id FROM stock_lot l JOIN product_product p ON p.id = l.product_id
            WHERE p.default_code = 'BENCH-ADD' AND l.name LIKE 'BENCH-%%-ADD-%%'
            ORDER BY l.id LIMIT 1"""
    )
    additive = env["stock.lot"].browse(cr.fetchone()[0])
    results = {"move_lines": total_lines, "lot": top.name, "levels": args.levels}
    # The very first trace of the process (new database connection: the
    # genealogy functions' plans are not cached yet, the ORM is cold).
    start = time.perf_counter()
    top._med_trace_graph("upstream")
    top._med_trace_graph("downstream")
    results["med_trace_both_ways_first_call_ms"] = (time.perf_counter() - start) * 1000
    # Warm up both implementations (registry, prepared plans) on the template chain
    # so that the measured run is not the first query of the process.
    warm = env["stock.lot"].search([("name", "=", "BENCH-T-P%d" % args.levels)], limit=1)
    warm._med_trace_graph("upstream")
    warm._med_trace_graph("downstream")
    if not args.skip_odoo:
        unfold_odoo_report(env, warm)

    def timed(func, repeat):
        """(median ms over ``repeat`` cold-cache runs, last result)."""
        timings = []
        result = None
        for _ in range(repeat):
            env.invalidate_all()
            start = time.perf_counter()
            result = func()
            timings.append((time.perf_counter() - start) * 1000)
        return statistics.median(timings), result

    ms, upstream = timed(lambda: top._med_trace_graph("upstream"), args.repeat)
    results["med_trace_upstream_ms"] = ms
    results["med_trace_upstream_rows"] = len(upstream)
    results["med_trace_upstream_max_level"] = max(row["level"] for row in upstream)
    ms, downstream = timed(lambda: top._med_trace_graph("downstream"), args.repeat)
    results["med_trace_downstream_ms"] = ms
    results["med_trace_downstream_rows"] = len(downstream)
    ms, wide = timed(lambda: additive._med_trace_graph("downstream"), args.repeat)
    results["med_trace_additive_downstream_ms"] = ms
    results["med_trace_additive_downstream_rows"] = len(wide)
    results["med_trace_additive_downstream_max_level"] = max(row["level"] for row in wide)
    results["med_trace_both_ways_ms"] = (
        results["med_trace_upstream_ms"] + results["med_trace_downstream_ms"]
    )
    if not args.skip_odoo:
        ms, rows = timed(lambda: unfold_odoo_report(env, top), args.repeat)
        results["odoo_report_ms"] = ms
        results["odoo_report_rows"] = rows
        results["speedup"] = results["odoo_report_ms"] / results["med_trace_both_ways_ms"]
        results["speedup_upstream_only"] = (
            results["odoo_report_ms"] / results["med_trace_upstream_ms"]
        )
    return results


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.perf_counter()
        lines, chains = generate(env, args)
        generation = time.perf_counter() - start
        results = measure(env, args)
        results["generated_chains"] = chains
        results["generation_s"] = round(generation, 1)
        cr.rollback()
    for key, value in results.items():
        print("%-42s %s" % (key, round(value, 1) if isinstance(value, float) else value))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
    return results


if __name__ == "__main__":
    main()
