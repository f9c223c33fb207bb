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

Recall impact (``--wide-lot-fanout N``, ``--wide-lot-level K``): one additive
lot consumed by N MOs at level K, each starting or continuing a genealogy of
its own up to a finished lot delivered to one of ``--customers`` customers.
Its recall is timed as a QA user makes it in med_trace (Recall Impact wizard,
then the background analysis it queues) beside Odoo's report followed
downstream lot by lot (stopped after ``--odoo-timeout`` seconds).
"""

import argparse
import json
import statistics
import sys
import time
from collections import deque
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
    parser.add_argument(
        "--wide-lot-fanout",
        type=int,
        default=0,
        help="add one additive lot consumed by this many MOs (recall impact measurement)",
    )
    parser.add_argument(
        "--wide-lot-level",
        type=int,
        default=1,
        help="level of the MOs consuming the wide lot (1: its impact goes through every level)",
    )
    parser.add_argument(
        "--customers", type=int, default=500, help="customers the wide lot's products go to"
    )
    parser.add_argument(
        "--odoo-timeout",
        type=float,
        default=120.0,
        help="seconds after which Odoo's report is stopped on a recall (reported as > N s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--skip-odoo", action="store_true", help="do not run Odoo's report")
    parser.add_argument("--generate-only", action="store_true", help="generate, measure nothing")
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


def load_templates(env, levels):
    """The template rows (made by ``ensure_templates``) the generator clones."""
    products = {
        p.default_code: p
        for p in env["product.product"].search([("default_code", "=like", BENCH_PREFIX + "-%")])
    }
    lot = env["stock.lot"].search([("name", "=", "BENCH-T-P1")])
    production = env["mrp.production"].search([("lot_producing_ids", "in", lot.ids)])
    first_lot = env["stock.lot"].search([("name", "=", "BENCH-T-P0")])
    top_lot = env["stock.lot"].search([("name", "=", "BENCH-T-P%d" % levels)])
    receipt_ml = env["stock.move.line"].search(
        [("lot_id", "=", first_lot.id), ("location_id.usage", "=", "supplier")], limit=1
    )
    internal_ml = env["stock.move.line"].search(
        [("lot_id", "=", top_lot.id), ("picking_code", "=", "internal")], limit=1
    )
    delivery_ml = env["stock.move.line"].search(
        [("lot_id", "=", top_lot.id), ("location_dest_id.usage", "=", "customer")], limit=1
    )
    finished_ml = production.move_finished_ids[:1].move_line_ids[:1]
    raw_ml = production.move_raw_ids[:1].move_line_ids[:1]
    return {
        "products": products,
        "lot": lot,
        "production": production,
        # kind of move -> its template move line (the move is the line's)
        "lines": {
            "finished": finished_ml,
            "raw": raw_ml,
            "receipt": receipt_ml,
            "internal": internal_ml,
            "delivery": delivery_ml,
        },
    }


def clone_chains(env, cloner, templates, args, spec):
    """Insert ``spec["chains"]`` genealogies, one batch per transaction.

    ``spec``: ``run`` (number in the names), ``label`` (chain label prefix), ``chains``,
    ``additive`` (function ``(chain, level) -> additive lot id``) and ``customers`` (partner
    ids: each delivery gets a picking of its own to one of them; empty: the deliveries share
    the template's picking). Returns the number of move lines inserted.
    """
    cr = env.cr
    products = templates["products"]
    levels = args.levels
    per_chain = 3 * levels + 1 + args.transfers * levels + 1
    base_date = datetime(2025, 1, 1)
    delivery_picking = templates["lines"]["delivery"].picking_id
    customers = spec["customers"]
    done = 0
    chain_index = 0
    while chain_index < spec["chains"]:
        batch = min(max(1, args.batch // per_chain), spec["chains"] - chain_index)
        n_lots = batch * (levels + 1)
        lot_first = cloner.reserve_ids("stock_lot", n_lots)
        lot_ids, lot_names, lot_products = [], [], []
        for c in range(batch):
            for level in range(levels + 1):
                lot_ids.append(lot_first + c * (levels + 1) + level)
                lot_names.append(
                    "BENCH-%s-%s%d-L%d" % (spec["run"], spec["label"], chain_index + c, level)
                )
                lot_products.append(products["BENCH-P%d" % level].id)
        cloner.clone(
            "stock_lot",
            templates["lot"].id,
            {"id": lot_ids, "name": lot_names, "product_id": lot_products},
        )
        n_mos = batch * levels
        mo_first = cloner.reserve_ids("mrp_production", n_mos)
        mo_rows = {"id": [], "name": [], "product_id": [], "date_start": [], "date_finished": []}
        pickings = {"id": [], "name": [], "partner_id": []}
        picking_id = cloner.reserve_ids("stock_picking", batch) if customers else None
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
        if customers:
            moves["delivery"].update(picking_id=[], partner_id=[])
        lines = {
            key: {"id": [], "move_id": [], "lot_id": [], "product_id": [], "date": []}
            for key in moves
        }
        lines["finished"]["production_id"] = []
        if customers:
            lines["delivery"]["picking_id"] = []
        rel = ([], [])
        n_moves = n_mos * 3 + batch * (2 + args.transfers * levels)
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
            for key in ("production_id", "picking_id"):
                if key in _lines[kind]:
                    _lines[kind][key].append(extra[key])
            move_id += 1
            line_id += 1
            return line_id - 1

        for c in range(batch):
            chain = chain_index + c
            chain_lots = lot_ids[c * (levels + 1) : (c + 1) * (levels + 1)]
            date = base_date + timedelta(minutes=chain)
            add("receipt", products["BENCH-P0"].id, chain_lots[0], date)
            for level in range(1, levels + 1):
                mo_id = mo_first + c * levels + level - 1
                date = base_date + timedelta(minutes=chain, hours=level * 2)
                mo_rows["id"].append(mo_id)
                mo_rows["name"].append(
                    "BENCH/%s/MO/%s%d/%d" % (spec["run"], spec["label"], chain, level)
                )
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
                comp2 = add(
                    "raw",
                    products["BENCH-ADD"].id,
                    spec["additive"](chain, level),
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
            extra = {}
            if customers:
                customer = customers[chain % len(customers)]
                pickings["id"].append(picking_id + c)
                pickings["name"].append("BENCH/%s/OUT/%s%d" % (spec["run"], spec["label"], chain))
                pickings["partner_id"].append(customer)
                extra = {"picking_id": picking_id + c, "partner_id": customer}
            add(
                "delivery",
                products["BENCH-P%d" % levels].id,
                chain_lots[-1],
                base_date + timedelta(minutes=chain, hours=levels * 2 + 1),
                **extra,
            )
        cloner.clone("mrp_production", templates["production"].id, mo_rows)
        if customers:
            cloner.clone("stock_picking", delivery_picking.id, pickings)
        for kind, line_template in templates["lines"].items():
            cloner.clone("stock_move", line_template.move_id.id, moves[kind])
            cloner.clone("stock_move_line", line_template.id, lines[kind])
            done += len(lines[kind]["id"])
        cr.execute(
            """INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id)
               SELECT * FROM unnest(%s::int[], %s::int[])""",
            rel,
        )
        cr.commit()
        chain_index += batch
        print(
            "generated %d/%d %s chains, %d move lines"
            % (chain_index, spec["chains"], spec["label"], done),
            flush=True,
        )
    return done


def bulk_session(cr, enable):
    """The cloned rows only reference rows that exist (templates) or that the same
    batch inserts: the bulk inserts skip the foreign-key triggers (they cost about
    half of the generation time at millions of rows)."""
    cr.execute("SET session_replication_role = %s" % ("replica" if enable else "DEFAULT"))


def analyze(cr):
    for table in ("stock_lot", "stock_move_line", "stock_move_line_consume_rel", "stock_move"):
        cr.execute("ANALYZE %s" % table)
    cr.commit()


def generate(env, args):
    cr = env.cr
    cr.execute("SELECT count(*) FROM stock_move_line")
    existing = cr.fetchone()[0]
    per_chain = 3 * args.levels + 1 + args.transfers * args.levels + 1
    chains = max(1, (args.lines - existing) // per_chain)
    if existing >= args.lines * 0.95:
        return existing, 0
    ensure_templates(env, args.levels)
    templates = load_templates(env, args.levels)
    additives = args.additives or max(1, chains // 10)
    cloner = Cloner(cr)
    run = int(time.time())
    bulk_session(cr, True)
    add_first = cloner.reserve_ids("stock_lot", additives)
    add_ids = list(range(add_first, add_first + additives))
    cloner.clone(
        "stock_lot",
        templates["lot"].id,
        {
            "id": add_ids,
            "name": ["BENCH-%s-ADD-%d" % (run, i) for i in range(additives)],
            "product_id": [templates["products"]["BENCH-ADD"].id] * additives,
        },
    )
    done = clone_chains(
        env,
        cloner,
        templates,
        args,
        {
            "run": run,
            "label": "C",
            "chains": chains,
            "additive": lambda chain, level: add_ids[(chain * args.levels + level) % additives],
            "customers": [],
        },
    )
    bulk_session(cr, False)
    analyze(cr)
    return existing + done, chains


WIDE_LOT_NAME = "BENCH-%s-WIDE%d-L%d"  # run, fan-out, level


def find_wide_lots(env):
    """The wide component lots of the database: ``[(level, fan-out, lot)]``."""
    env.cr.execute(
        r"""SELECT substring(name from '-L(\d+)$')::int,
                   substring(name from '-WIDE(\d+)-')::int, id
              FROM stock_lot WHERE name ~ '^BENCH-\d+-WIDE\d+-L\d+$' ORDER BY 2, 1, id"""
    )
    return [
        (level, fanout, env["stock.lot"].browse(lot_id))
        for level, fanout, lot_id in env.cr.fetchall()
    ]


def generate_wide_lot(env, args):
    """One additive lot consumed by ``--wide-lot-fanout`` MOs at ``--wide-lot-level``.

    Each of those MOs starts (level 1) or continues a genealogy of its own up to the
    finished lot of the last level, delivered to one of ``--customers`` customers (a
    delivery order each): the recall of the lot must find every finished lot and every
    customer. Nothing is added when the database already has such a lot.
    """
    level = args.wide_lot_level
    if (level, args.wide_lot_fanout) in {found[:2] for found in find_wide_lots(env)}:
        return 0
    ensure_templates(env, args.levels)
    templates = load_templates(env, args.levels)
    cr = env.cr
    customers = env["res.partner"].create(
        [{"name": "BENCH customer %d" % i} for i in range(args.customers)]
    )
    # the other levels use the additive lots of the ordinary chains
    env.cr.execute(
        "SELECT id FROM stock_lot WHERE name LIKE 'BENCH-%%-ADD-%%' ORDER BY id LIMIT 1000"
    )
    add_ids = [row[0] for row in env.cr.fetchall()] or [templates["lot"].id]
    cloner = Cloner(cr)
    run = int(time.time())
    bulk_session(cr, True)
    wide_id = cloner.reserve_ids("stock_lot", 1)
    cloner.clone(
        "stock_lot",
        templates["lot"].id,
        {
            "id": [wide_id],
            "name": [WIDE_LOT_NAME % (run, args.wide_lot_fanout, level)],
            "product_id": [templates["products"]["BENCH-ADD"].id],
        },
    )
    done = clone_chains(
        env,
        cloner,
        templates,
        args,
        {
            "run": run,
            "label": "W%dL%dN" % (args.wide_lot_fanout, level),
            "chains": args.wide_lot_fanout,
            "additive": lambda chain, chain_level: (
                wide_id
                if chain_level == level
                else add_ids[(chain * args.levels + chain_level) % len(add_ids)]
            ),
            "customers": customers.ids,
        },
    )
    bulk_session(cr, False)
    analyze(cr)
    return done


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


def unfold_odoo_downstream(env, lot, timeout):
    """Where ``lot`` went, with Odoo's report: the clicks a user makes to find every lot
    made from it and every customer it reached.

    Odoo's report of a lot lists the lot's move lines; a line consumed by an MO links to
    the report of the lines made with it (``is_used``), whose lots are opened in turn, down
    to the deliveries. Only those reports are made (not the upstream unfolds of each row,
    which a user would not need). Stops after ``timeout`` seconds.

    :return: dict ``rows``, ``lots`` (whose report was opened, ``lot`` included),
        ``lots_found`` (opened or listed as made from an opened one), ``deliveries``,
        ``customers`` and ``complete`` (False when stopped by the timeout)
    """
    report = env["stock.traceability.report"]
    deadline = time.perf_counter() + timeout
    todo = deque([lot.id])
    seen = {lot.id}
    rows = 0
    opened = 0
    deliveries = 0
    customers = set()
    timed_out = False
    while todo and not timed_out:
        opened += 1
        lines = report.with_context(active_id=todo.popleft(), model="stock.lot").get_lines()
        rows += len(lines)
        for line in lines:
            if time.perf_counter() > deadline:
                timed_out = True
                break
            if line["picking_type_code"] == "outgoing":
                deliveries += 1
                customers.add(line["partner_id"])
            if not line["is_used"]:
                continue
            used = report.with_context(
                active_id=line["model_id"], model="stock.move.line", lot_name=line["lot_name"]
            ).get_lines()
            rows += len(used)
            for made in used:
                if made["lot_id"] not in seen:
                    seen.add(made["lot_id"])
                    todo.append(made["lot_id"])
    return {
        "rows": rows,
        "lots": opened,
        "lots_found": len(seen),
        "deliveries": deliveries,
        "customers": len(customers),
        "complete": not timed_out,
    }


def med_recall_impact(env, lot):
    """The recall a QA user makes in med_trace: the Recall Impact wizard on the lot, then
    the impact analysis, queued in the background when it is large and run here as the
    scheduled action runs it (which commits). Returns ``(recall, request seconds,
    background job seconds)``; the caller deletes the recall."""
    from odoo import Command

    start = time.perf_counter()
    wizard = env["med.recall.wizard"].create(
        {"mode": "lots", "lot_ids": [Command.set(lot.ids)], "reason": "Benchmark recall"}
    )
    recall = env["med.recall"].browse(wizard.action_compute()["res_id"])
    request = time.perf_counter() - start
    start = time.perf_counter()
    if recall.analysis_pending:
        env["med.trace.job"]._cron_process_jobs()
    background = time.perf_counter() - start
    return recall, request, background


def measure_recall(env, args, prefix, level, lot):
    """Recall impact of the wide lot ``lot`` (consumed at ``level``): med_trace beside
    Odoo's report, in results keys starting with ``prefix``."""
    cr = env.cr
    cr.execute(
        """SELECT count(*) FROM stock_move_line ml
             JOIN stock_location l ON l.id = ml.location_dest_id
            WHERE ml.lot_id = %s AND ml.state = 'done' AND l.usage = 'production'""",
        [lot.id],
    )
    consumed_by = cr.fetchone()[0]
    results = {prefix + "lot": lot.name, prefix + "consumed_by_mos": consumed_by}
    # warm up the recall code on an ordinary additive lot (impact computed at once)
    cr.execute("SELECT id FROM stock_lot WHERE name LIKE 'BENCH-%%-ADD-%%' ORDER BY id LIMIT 1")
    warm = env["stock.lot"].browse(cr.fetchone()[0])
    recall = med_recall_impact(env, warm)[0]
    recall.unlink()
    cr.commit()
    totals, requests, backgrounds = [], [], []
    for _ in range(args.repeat):
        env.invalidate_all()
        recall, request, background = med_recall_impact(env, lot)
        requests.append(request * 1000)
        backgrounds.append(background * 1000)
        totals.append((request + background) * 1000)
        env.invalidate_all()
        results.update(
            {
                prefix + "med_queued": bool(recall.job_ids),
                prefix + "med_affected_lots": recall.affected_lot_count,
                prefix + "med_customers": recall.customer_count,
                prefix + "med_impact_lines": len(recall.line_ids),
                prefix + "med_deliveries": len(
                    recall.line_ids.filtered(lambda rec: rec.kind == "delivered")
                ),
                prefix + "med_finished_lots": len(
                    recall.line_ids.filtered(
                        lambda rec: rec.kind == "lot" and rec.level == args.levels - level + 1
                    )
                ),
            }
        )
        recall.unlink()
        cr.commit()
    results[prefix + "med_request_ms"] = statistics.median(requests)
    results[prefix + "med_background_ms"] = statistics.median(backgrounds)
    results[prefix + "med_total_ms"] = statistics.median(totals)
    if args.skip_odoo:
        return results
    timings = []
    for _ in range(args.repeat):
        env.invalidate_all()
        start = time.perf_counter()
        found = unfold_odoo_downstream(env, lot, args.odoo_timeout)
        timings.append((time.perf_counter() - start) * 1000)
        if not found["complete"]:
            # stopped by the timeout: one run says enough
            break
    results[prefix + "odoo_complete"] = found["complete"]
    results[prefix + "odoo_ms"] = statistics.median(timings)
    for key in ("rows", "lots", "lots_found", "deliveries", "customers"):
        results[prefix + "odoo_" + key] = found[key]
    if found["complete"]:
        results[prefix + "speedup"] = results[prefix + "odoo_ms"] / results[prefix + "med_total_ms"]
    return results


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
    for level, fanout, lot in find_wide_lots(env):
        prefix = "recall_f%d_l%d_" % (fanout, level)
        ms, wide = timed(lambda lot=lot: lot._med_trace_graph("downstream"), args.repeat)
        results[prefix + "graph_downstream_ms"] = ms
        results[prefix + "graph_downstream_rows"] = len(wide)
        results.update(measure_recall(env, args, prefix, level, lot))
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
        if args.wide_lot_fanout:
            generate_wide_lot(env, args)
        if args.generate_only:
            return {}
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
