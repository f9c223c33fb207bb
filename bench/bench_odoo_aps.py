#!/usr/bin/env python3
"""Benchmark: Odoo's own planning vs med_aps on the same manufacturing orders.

Builds a medical-device plant with N confirmed manufacturing orders (about five work
orders each) in a copy of a real Odoo database, copies that database once more so both
planners see exactly the same data, then

* plans one copy with Odoo's own planning: ``button_plan`` order by order, highest
  priority first, then earliest deadline (what a planner gets by pressing *Plan* in the
  manufacturing order list sorted that way);
* plans the other copy with one med_aps run over all orders (``med.aps.run``, processed
  synchronously as the scheduled action would);

and prints side by side, measured the same way on both databases: total tardiness, late
orders, makespan, changeovers (count and the minutes they need), wall time (read / solve /
write for med_aps, total for both).

Usage (a database with ``med_aps`` installed, without demo data; Odoo's Python)::

    python bench/bench_odoo_aps.py -d DB --mos 1000 -- \\
        --db_host 127.0.0.1 --db_user odoo --addons-path ADDONS_PATH

Arguments after ``--`` go to Odoo's configuration parser. The copies are named
``DB_bench_src``, ``DB_bench_odoo`` and ``DB_bench_aps`` (and ``DB_bench_aps_orm`` with
``--orm-write``) and dropped at the end unless ``--keep`` is given.

At 10,000 orders Odoo's own planning takes hours: run the phases separately on the kept
copies, the results carried in one JSON file (``--phases build``, then ``--phases aps``,
``--phases odoo`` in the background, and ``--phases report`` to print the table). The
med_aps column records the peak resident memory of the process during the run (``VmHWM``
of ``/proc/self/status``, reset just before the run; the solver runs in the same process).

The plant: three injection molding machines, three cleanroom assembly lines and two
blister packaging lines (each group are alternatives of each other), an EO sterilizer
running 8-hour batch cycles of up to 8 orders followed by a 12-hour aeration hold, and a
QC laboratory; two shifts on weekdays (the sterilizer runs 24/7). Four product families
with a changeover matrix on molding and assembly. For Odoo's own planning the
sterilization of one order takes one hour (cycle time divided by the batch size: Odoo has
no batch cycles), which is the usual way to model a sterilizer in plain Odoo.

Targets (issue): 1,000 orders / 5,000 work orders replanned end to end in <= 120 s with
<= 30 s outside the solver, and a total tardiness <= 50% of Odoo's own plan; 10,000 orders /
50,000 work orders end to end <= 300 s (240 s solver limit), read and write <= 30 s each,
peak memory <= 4 GB, weighted tardiness <= 20% of Odoo's own plan.
"""

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from contextlib import closing
from datetime import datetime, timedelta

BENCH_ORIGIN = "BENCH-APS"
FAMILIES = ("SYR", "CATH", "IVS", "BCS")
# (from, to) -> minutes on molding and assembly; other pairs use the default
CHANGEOVERS = {
    ("SYR", "BCS"): 20,
    ("BCS", "SYR"): 20,
    ("SYR", "CATH"): 90,
    ("CATH", "SYR"): 60,
    ("CATH", "IVS"): 40,
    ("IVS", "CATH"): 40,
}
DEFAULT_CHANGEOVER = 45
EO_CYCLE = 480
EO_BATCH = 8
EO_HOLD = 720
PHASES = ("build", "aps", "odoo")
# orders created and confirmed per batch when building the plant
BUILD_CHUNK = 1000


def split_odoo_args(argv):
    """``(own arguments, Odoo's arguments)``: those after ``--`` go to Odoo's config parser."""
    if "--" in argv:
        index = argv.index("--")
        return argv[:index], argv[index + 1 :]
    return argv, []


def parse_args(argv):
    own, odoo_args = split_odoo_args(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="database with med_aps")
    parser.add_argument("--mos", type=int, default=1000, help="manufacturing orders")
    parser.add_argument("--time-limit", type=float, default=60.0, help="med_aps solver s")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the three copies")
    parser.add_argument(
        "--json",
        help="also write the results to this JSON file; with --phases, the results already "
        "in it are kept and the new ones merged in",
    )
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help="comma-separated phases to run, of %s (default all). 'build' makes the copies; "
        "'aps' and 'odoo' plan the kept copies, so med_aps can be measured first and Odoo's "
        "own planning (hours at 10,000 orders) run later; a subset keeps the copies and needs "
        "--json to carry the results between runs; 'report' prints the table of --json"
        % ", ".join(PHASES),
    )
    parser.add_argument(
        "--progress",
        type=int,
        default=500,
        help="Odoo's planning: print the progress and commit every N orders (default 500)",
    )
    parser.add_argument(
        "--orm-write",
        choices=("write", "write_multi"),
        help="also plan a third copy with med_aps writing the plan through the ORM instead "
        "of its SQL batches, to compare: write() per work order and order, or the ORM's "
        "batched low-level _write_multi per table",
    )
    parser.add_argument(
        "--problem-out",
        help="write the engine problem of the bench orders and Odoo's executed plan to this "
        "JSON file (for `med-aps solve` and engine experiments without Odoo)",
    )
    args = parser.parse_args(own)
    # 'report' runs nothing: it prints the table of the results in --json
    args.phases = [
        phase.strip() for phase in args.phases.split(",") if phase.strip() not in ("", "report")
    ]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(
            "unknown phase(s) %s; use %s" % (", ".join(sorted(unknown)), ", ".join(PHASES))
        )
    if set(args.phases) != set(PHASES) and not args.json:
        parser.error("--phases without every phase needs --json to carry the results")
    return args, odoo_args


# ---------------------------------------------------------------------------- plant
def _calendar(env, name, days, shifts):
    from odoo import Command

    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "UTC",
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": "%s %s" % (day, index),
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning" if hour_from < 12 else "afternoon",
                    }
                )
                for day in days
                for index, (hour_from, hour_to) in enumerate(shifts)
            ],
        }
    )


def build_plant(env, mos, seed, components=False, due_days_per_1000=45.0):
    """Create the plant and ``mos`` confirmed manufacturing orders; returns counts.

    ``due_days_per_1000``: the days the due dates spread over per 1,000 orders (45: about
    the time the plant needs for the load; more leaves slack).

    ``components``: the devices also consume molding resin (at molding) and blister film
    (at packaging), part on hand and the rest in weekly receipts (``_add_components``), and
    every product has a cost (the holding cost benchmark); without it the bills of
    materials have no components."""
    from odoo import Command

    rng = random.Random(seed)
    shifts = _calendar(env, "Bench two shifts", range(5), [(6, 14), (14, 22)])
    continuous = _calendar(env, "Bench 24/7", range(7), [(0, 24)])
    family = {
        code: env["med.aps.setup.family"].create({"name": "Bench %s" % code, "code": code})
        for code in FAMILIES
    }
    eo_family = env["med.aps.batch.family"].create({"name": "Bench EO", "code": "BEO"})

    def workcenters(prefix, count, **values):
        records = env["mrp.workcenter"].create(
            [
                dict(
                    values,
                    name="%s %d" % (prefix, index + 1),
                    resource_calendar_id=shifts.id,
                    aps_changeover_default_minutes=values.get("aps_changeover_default_minutes", 0),
                )
                for index in range(count)
            ]
        )
        for record in records:
            record.alternative_workcenter_ids = [Command.set((records - record).ids)]
        return records

    molding = workcenters("Bench Molding", 3, aps_changeover_default_minutes=DEFAULT_CHANGEOVER)
    assembly = workcenters("Bench Assembly", 3, aps_changeover_default_minutes=DEFAULT_CHANGEOVER)
    packaging = workcenters("Bench Blister", 2, aps_changeover_default_minutes=15)
    sterilizer = env["mrp.workcenter"].create(
        {
            "name": "Bench EO Sterilizer",
            "resource_calendar_id": continuous.id,
            "aps_batch_enabled": True,
            "aps_batch_capacity_type": "mo",
            "aps_batch_max_size": EO_BATCH,
            "aps_batch_cycle_minutes": EO_CYCLE,
        }
    )
    lab = env["mrp.workcenter"].create({"name": "Bench QC Lab", "resource_calendar_id": shifts.id})
    rules = []
    for workcenter in molding | assembly:
        for (source, target), minutes in CHANGEOVERS.items():
            rules.append(
                {
                    "workcenter_id": workcenter.id,
                    "from_family_id": family[source].id,
                    "to_family_id": family[target].id,
                    "minutes": minutes,
                }
            )
    env["med.aps.changeover.rule"].create(rules)

    products = []
    for index in range(8):
        code = FAMILIES[index % 4]
        product = env["product.product"].create(
            {
                "name": "Bench device %d (%s)" % (index + 1, code),
                "default_code": "BENCH-%d" % (index + 1),
                "is_storable": True,
                "aps_setup_family_id": family[code].id,
                "aps_batch_family_id": eo_family.id,
            }
        )
        # minutes per unit (quantities are 50..300 units)
        per_unit = {
            "mold": rng.choice((0.25, 0.3, 0.35, 0.4)),
            "assemble": rng.choice((0.15, 0.2, 0.25, 0.3)),
            "pack": rng.choice((0.06, 0.08, 0.1)),
            "test": rng.choice((0.08, 0.1, 0.12)),
        }
        # Odoo has no batch cycles: one order's share of a sterilizer cycle
        env["mrp.workcenter.capacity"].create(
            {"workcenter_id": sterilizer.id, "product_id": product.id, "capacity": 100000}
        )
        env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create(
                        {
                            "sequence": 10,
                            "name": "Molding",
                            "workcenter_id": molding[index % 3].id,
                            "time_cycle_manual": per_unit["mold"],
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 20,
                            "name": "Assembly",
                            "workcenter_id": assembly[index % 3].id,
                            "time_cycle_manual": per_unit["assemble"],
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 30,
                            "name": "Blister packaging",
                            "workcenter_id": packaging[index % 2].id,
                            "time_cycle_manual": per_unit["pack"],
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 40,
                            "name": "EO sterilization",
                            "workcenter_id": sterilizer.id,
                            "time_cycle_manual": EO_CYCLE / EO_BATCH,
                            "aps_non_interruptible": True,
                            "aps_hold_minutes": EO_HOLD,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 50,
                            "name": "QC release testing",
                            "workcenter_id": lab.id,
                            "time_cycle_manual": per_unit["test"],
                        }
                    ),
                ],
            }
        )
        products.append(product)

    # due dates spread over the time the plant needs for the load (~ 45 days per 1,000)
    span_days = max(3.0, due_days_per_1000 * mos / 1000.0)
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    values = []
    for _index in range(mos):
        product = rng.choice(products)
        due = today + timedelta(days=1 + rng.uniform(0, span_days), hours=rng.choice((10, 14, 18)))
        values.append(
            {
                "product_id": product.id,
                "product_qty": rng.randrange(50, 301, 10),
                "date_deadline": due.replace(minute=0, second=0),
                "priority": "1" if rng.random() < 0.1 else "0",
                "origin": BENCH_ORIGIN,
            }
        )
    if components:
        _add_components(env, products, values, today, span_days)
    set_horizon(env, span_days)
    return _create_orders(env, values)


def set_horizon(env, span_days):
    """Plan far enough for the load: the plant needs about as long as the due dates spread
    over, so the planning horizon (``med_aps.horizon_days``, 120 days by default) is raised
    to one and a half times that spread and a month, when it is shorter (from about 2,000
    orders on). Returns the horizon in days."""
    import math

    icp = env["ir.config_parameter"].sudo()
    current = int(icp.get_param("med_aps.horizon_days", 120))
    needed = math.ceil(1.5 * span_days) + 30
    if needed > current:
        icp.set_param("med_aps.horizon_days", needed)
    return max(current, needed)


def _create_orders(env, values):
    """Create and confirm the orders by chunks of ``BUILD_CHUNK``, printing the progress
    (one ``create`` and one ``action_confirm`` per chunk; the cache is cleared between
    chunks so that memory stays flat at 10,000 orders)."""
    start = time.perf_counter()
    mos = workorders = 0
    for offset in range(0, len(values), BUILD_CHUNK):
        productions = env["mrp.production"].create(values[offset : offset + BUILD_CHUNK])
        productions.action_confirm()
        env.flush_all()
        mos += len(productions)
        workorders += len(productions.workorder_ids)
        env.invalidate_all()
        print(
            "  %d / %d orders created and confirmed, %.0f s"
            % (mos, len(values), time.perf_counter() - start),
            flush=True,
        )
    return {"mos": mos, "workorders": workorders}


# cost per unit of the devices by family, and of the components
DEVICE_COST = {"SYR": 0.5, "CATH": 6.0, "IVS": 3.0, "BCS": 1.5}
RESIN_PER_DEVICE = 0.02  # kg, cost 4.0 per kg
FILM_PER_DEVICE = 1.0  # blister pockets, cost 0.05 each
ON_HAND_SHARE = 0.4
# when the receipts come, in shares of the time the due dates spread over
RECEIPT_SHARES = (0.05, 0.2, 0.35, 0.5, 0.65, 0.8)


def _add_components(env, products, mo_values, today, span_days):
    """Resin consumed at molding and blister film at packaging for every device, product
    costs, ``ON_HAND_SHARE`` of the components' total need on hand and the rest in equal
    receipts spread over the due dates (``RECEIPT_SHARES`` of ``span_days``), ahead of
    the need of orders planned in due date order."""
    from odoo import Command

    resin = env["product.product"].create(
        {"name": "Bench resin", "is_storable": True, "standard_price": 4.0}
    )
    film = env["product.product"].create(
        {"name": "Bench blister film", "is_storable": True, "standard_price": 0.05}
    )
    for product in products:
        code = product.aps_setup_family_id.code
        product.standard_price = DEVICE_COST[code]
        bom = env["mrp.bom"].search([("product_tmpl_id", "=", product.product_tmpl_id.id)])
        by_name = {operation.name: operation for operation in bom.operation_ids}
        bom.bom_line_ids = [
            Command.create(
                {
                    "product_id": resin.id,
                    "product_qty": RESIN_PER_DEVICE,
                    "operation_id": by_name["Molding"].id,
                }
            ),
            Command.create(
                {
                    "product_id": film.id,
                    "product_qty": FILM_PER_DEVICE,
                    "operation_id": by_name["Blister packaging"].id,
                }
            ),
        ]
    devices = sum(vals["product_qty"] for vals in mo_values)
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    for component, per_device in ((resin, RESIN_PER_DEVICE), (film, FILM_PER_DEVICE)):
        need = devices * per_device
        env["stock.quant"]._update_available_quantity(
            component, warehouse.lot_stock_id, need * ON_HAND_SHARE
        )
        share = need * (1 - ON_HAND_SHARE) / len(RECEIPT_SHARES)
        for day in (span_days * fraction for fraction in RECEIPT_SHARES):
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "location_id": env.ref("stock.stock_location_suppliers").id,
                    "location_dest_id": warehouse.lot_stock_id.id,
                    "scheduled_date": today + timedelta(days=day, hours=8),
                    "origin": BENCH_ORIGIN,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": component.id,
                                "product_uom_qty": share,
                                "product_uom": component.uom_id.id,
                                "location_id": env.ref("stock.stock_location_suppliers").id,
                                "location_dest_id": warehouse.lot_stock_id.id,
                                "date": today + timedelta(days=day, hours=8),
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()


# ---------------------------------------------------------------------------- measure
def plan_with_odoo(env, progress=500):
    """Odoo's ``button_plan`` order by order; prints the progress and commits every
    ``progress`` orders. Orders already planned (an interrupted earlier run on the same
    copy) are skipped, so the loop can be started again; the time then covers this run only."""
    productions = env["mrp.production"].search(
        [("origin", "=", BENCH_ORIGIN), ("state", "=", "confirmed"), ("is_planned", "=", False)],
        order="priority desc, date_deadline asc, id",
    )
    start = time.perf_counter()
    for index, production in enumerate(productions, 1):
        production.button_plan()
        if progress and (index % progress == 0 or index == len(productions)):
            env.flush_all()
            env.cr.commit()
            env.invalidate_all()
            print(
                "  Odoo planning: %d / %d orders, %.0f s"
                % (index, len(productions), time.perf_counter() - start),
                flush=True,
            )
    env.flush_all()
    env.cr.commit()
    total = time.perf_counter() - start
    return {
        "total_s": total,
        "read_s": None,
        "solve_s": None,
        "write_s": None,
        "orders": len(productions),
    }


def plan_with_med_aps(env, time_limit, workers):
    from odoo import Command

    productions = env["mrp.production"].search(
        [("origin", "=", BENCH_ORIGIN), ("state", "=", "confirmed")]
    )
    company = productions.company_id[:1] or env.company
    run = env["med.aps.run"].create(
        {
            "trigger": "api",
            "company_id": company.id,
            "production_ids": [Command.set(productions.ids)],
            "time_limit": time_limit,
            "workers": workers,
        }
    )
    env.cr.commit()
    peak_reset = _reset_peak_rss()
    start = time.perf_counter()
    run._process_now()
    env.flush_all()
    env.cr.commit()
    total = time.perf_counter() - start
    memory = _peak_rss_mb()
    if run.state != "done":
        raise RuntimeError(
            "med_aps run %s ended %s: %s" % (run.name, run.state, run.failure_reason)
        )
    return {
        "total_s": total,
        "read_s": run.read_seconds,
        "solve_s": run.solve_seconds,
        "write_s": run.write_seconds,
        "solver_status": run.solver_status,
        "gap": run.gap,
        "run_id": run.id,
        "plan_origin": run.plan_origin,
        # the process's peak resident memory during the run (VmHWM reset just before it),
        # or over the whole bench process where the peak cannot be reset
        "peak_rss_mb": memory["vm_hwm_mb"] if peak_reset else memory["process_max_rss_mb"],
        "peak_rss_scope": "run" if peak_reset else "process",
        "process_max_rss_mb": memory["process_max_rss_mb"],
    }


def _reset_peak_rss():
    """Reset this process's peak resident set size (``VmHWM``; Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _peak_rss_mb():
    """This process's peak resident memory in MB: ``VmHWM`` of ``/proc/self/status`` (since
    the last reset) and ``ru_maxrss`` (since the process started, never reset)."""
    import resource

    vm_hwm = None
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    vm_hwm = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"vm_hwm_mb": vm_hwm, "process_max_rss_mb": process}


# ---------------------------------------------------------------------------- same truth
def _problem_for(env, productions, origin):
    """The med_aps problem of the bench orders and its scope, as the planner sees them."""
    from odoo import Command

    from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

    run = env["med.aps.run"].create(
        {
            "trigger": "api",
            "company_id": productions.company_id[:1].id or env.company.id,
            "production_ids": [Command.set(productions.ids)],
            "frozen_hours": 0,
        }
    )
    return ProblemBuilder(run, origin=origin).build()


def _changeover(resource, previous, current):
    if previous is None or current is None:
        return 0
    changeover = resource.get("changeover") or {}
    for rule in changeover.get("rules") or []:
        if rule["from"] == previous and rule["to"] == current:
            return rule["minutes"]
    return changeover.get("default", 0) if previous != current else 0


def replay(problem, chosen):
    """Execute a given sequence under the real constraints of ``problem``.

    ``chosen`` maps operation ids to ``(resource, start)`` as another planner wrote them.
    Every operation keeps that planner's resource and is started, in the order of its
    start, as early as its calendar, its predecessors and their holds, the resource's
    previous operation and the changeover allow (a semi-active schedule). On a batch
    resource an operation joins a cycle of its family that has not started yet when it is
    ready, else opens a new cycle. Returns a schema-v1 plan (checked by the validator).
    """
    import math

    from med_aps_engine.calendar import Calendar

    resources = {res["id"]: res for res in problem["resources"]}
    calendars = {rid: Calendar(res.get("calendar")) for rid, res in resources.items()}
    ops, job_of, job_ops = {}, {}, defaultdict(list)
    for job in problem["jobs"]:
        for op in job["operations"]:
            ops[op["id"]] = op
            job_of[op["id"]] = job
            job_ops[job["id"]].append(op["id"])
    unit_free = {rid: [0] * max(1, res.get("capacity", 1)) for rid, res in resources.items()}
    unit_family = {rid: [None] * len(units) for rid, units in unit_free.items()}
    batches = defaultdict(list)
    end, plan_ops = {}, []
    pending = sorted(chosen, key=lambda op_id: (chosen[op_id][1], op_id))
    while pending:
        waiting = []
        for op_id in pending:
            op, job = ops[op_id], job_of[op_id]
            ready = max(job.get("release") or 0, op.get("release") or 0)
            blocked = False
            for pred in op.get("predecessors") or []:
                names = [pred["op"]] if pred.get("op") else job_ops[pred["job"]]
                if any(name not in end for name in names):
                    blocked = True
                    break
                ready = max(ready, max(end[name] for name in names) + (pred.get("min_lag") or 0))
            if blocked:
                waiting.append(op_id)
                continue
            rid = chosen[op_id][0]
            resource, calendar = resources[rid], calendars[rid]
            batch = resource.get("batch")
            if batch:
                family, size = op.get("batch_family"), op.get("batch_size") or 1
                cycle = next(
                    (
                        b
                        for b in batches[rid]
                        if b["family"] == family
                        and b["start"] >= ready
                        and b["size"] + size <= batch["max_size"]
                    ),
                    None,
                )
                if cycle is None:
                    units = unit_free[rid]
                    unit = min(range(len(units)), key=lambda u, units=units: units[u])
                    start, stop = calendar.place(
                        max(ready, units[unit]), batch["cycle_minutes"], False
                    )
                    units[unit] = stop
                    cycle = {
                        "id": "B%d" % (len(batches[rid]) + 1),
                        "family": family,
                        "start": start,
                        "end": stop,
                        "size": 0,
                        "unit": unit,
                    }
                    batches[rid].append(cycle)
                cycle["size"] += size
                start, stop, unit = cycle["start"], cycle["end"], cycle["unit"]
                setup = changeover = 0
                batch_id = cycle["id"]
            else:
                mode = next(m for m in op["modes"] if m["resource"] == rid)
                efficiency = resource.get("efficiency") or 100
                processing = math.ceil(mode["duration"] * 100 / efficiency)
                best = None
                for unit, free in enumerate(unit_free[rid]):
                    changeover = _changeover(
                        resource, unit_family[rid][unit], op.get("setup_family")
                    )
                    work = mode.get("setup", 0) + changeover + processing + mode.get("cleanup", 0)
                    placed = calendar.place(max(ready, free), work, op.get("interruptible", True))
                    if placed and (best is None or placed[1] < best[1]):
                        best = (placed[0], placed[1], unit, changeover, mode.get("setup", 0))
                start, stop, unit, changeover, setup = best
                setup += changeover
                unit_free[rid][unit] = stop
                unit_family[rid][unit] = op.get("setup_family")
                batch_id = None
            end[op_id] = stop
            plan_ops.append(
                {
                    "op": op_id,
                    "job": job["id"],
                    "resource": rid,
                    "unit": unit,
                    "start": start,
                    "end": stop,
                    "setup_minutes": setup,
                    "changeover_minutes": changeover,
                    "batch": batch_id,
                }
            )
        if len(waiting) == len(pending):
            raise RuntimeError("cannot replay: a precedence cycle among %s" % waiting[:3])
        pending = waiting
    return {"schema_version": 1, "status": "FEASIBLE", "operations": plan_ops}


def _count_violations(violations):
    """Number of violations (the validator lists 200 and summarises the rest)."""
    if violations is None:
        return None
    count = len(violations)
    match = re.match(r"\.\.\. and (\d+) more", violations[-1]) if violations else None
    if match:
        count += int(match.group(1)) - 1
    return count


def kpis(problem, plan, violations=None):
    """KPIs of a schema-v1 plan, the same for every planner."""
    finish = defaultdict(int)
    for op in plan["operations"]:
        finish[op["job"]] = max(finish[op["job"]], op["end"])
    tardiness = weighted = 0.0
    late = 0
    for job in problem["jobs"]:
        if job.get("due") is None or job["id"] not in finish:
            continue
        minutes = max(0, finish[job["id"]] - job["due"])
        late += 1 if minutes > 0 else 0
        tardiness += minutes / 60.0
        weighted += job.get("weight", 1) * minutes / 60.0
    changeovers = [op["changeover_minutes"] for op in plan["operations"]]
    cycles = {(op["resource"], op["batch"]) for op in plan["operations"] if op["batch"]}
    return {
        "total_tardiness_h": round(tardiness, 1),
        "weighted_tardiness_h": round(weighted, 1),
        "late_mos": late,
        "makespan_h": round(max(finish.values(), default=0) / 60.0, 1),
        "changeovers": sum(1 for minutes in changeovers if minutes),
        "changeover_min": sum(changeovers),
        "sterilizer_cycles": len(cycles),
        "violations": _count_violations(violations),
    }


# ---------------------------------------------------------------------------- driver
def _drop(database):
    import odoo
    from odoo.modules.registry import Registry
    from odoo.service.db import _drop_conn
    from odoo.tools import SQL

    Registry.delete(database)
    odoo.sql_db.close_db(database)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        _drop_conn(cr, database)
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(database)))


def _duplicate(source, target):
    from odoo.service import db as db_service

    _drop(target)
    db_service.exp_duplicate_database(source, target)


def _with_env(database, function, *args):
    import odoo
    from odoo.modules.registry import Registry

    registry = Registry(database)
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            result = function(env, *args)
            cr.commit()
            return result
    finally:
        Registry.delete(database)
        odoo.sql_db.close_db(database)


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "%.1f" % value
    return str(value)


ALL_COLUMNS = (
    ("odoo_dates", "Odoo as dated"),
    ("odoo_executed", "Odoo executed"),
    ("med_aps", "med_aps"),
    ("med_aps_orm", "ORM"),
)


def report(size, results):
    """Side-by-side table of the columns measured so far; returns (text, outside-solver
    seconds, tardiness ratio to Odoo's executed plan: ``_compared_tardiness``)."""
    width = 18
    columns = [
        (key, "%s %s" % (label, results[key]["orm_write"]) if key == "med_aps_orm" else label)
        for key, label in ALL_COLUMNS
        if key in results
    ]
    head = "%-38s" + (" %" + str(width) + "s") * len(columns)
    lines = [
        "Odoo planning vs med_aps: %(mos)d manufacturing orders, %(workorders)d work orders" % size,
        head % ("", *(label for _key, label in columns)),
    ]
    for label, key in (
        ("Total tardiness (h)", "total_tardiness_h"),
        ("Weighted tardiness (h)", "weighted_tardiness_h"),
        ("Late orders", "late_mos"),
        ("Makespan (h)", "makespan_h"),
        ("Changeovers", "changeovers"),
        ("Changeover time (min)", "changeover_min"),
        ("Sterilizer cycles", "sterilizer_cycles"),
        ("Rule violations (validator)", "violations"),
        ("Reservations off their work order", "bad_reservations"),
        ("Orders not planned or off their span", "bad_orders"),
        ("Chatter messages of the run", "run_notes"),
        ("Orders with more than one message", "orders_with_notes_over_one"),
    ):
        lines.append(head % (label, *(_fmt(results[col]["kpis"].get(key)) for col, _l in columns)))
    for label, key in (
        ("Wall time read (s)", "read_s"),
        ("Wall time solve (s)", "solve_s"),
        ("Wall time write (s)", "write_s"),
        ("Wall time total (s)", "total_s"),
        ("Peak memory of the process (MB)", "peak_rss_mb"),
    ):
        lines.append(head % (label, *(_fmt(results[col]["time"].get(key)) for col, _l in columns)))
    aps = results.get("med_aps")
    outside = ratio = None
    if aps:
        outside = aps["time"]["total_s"] - (aps["time"]["solve_s"] or 0.0)
        lines.append(
            "med_aps outside the solver: %.1f s; solver status %s, gap %s; peak memory measured "
            "over the %s."
            % (
                outside,
                aps["time"].get("solver_status"),
                aps["time"].get("gap"),
                "run (VmHWM)" if aps["time"].get("peak_rss_scope") == "run" else "whole process",
            )
        )
    if "odoo_dates" in results:
        lines.append(
            "'Odoo as dated': Odoo's own dates, which reserve no changeover, no batch cycle and "
            "no hold (violations counted). 'Odoo executed': Odoo's work centers and sequence "
            "run under the real constraints. Odoo's loop planned %s orders."
            % results["odoo_dates"]["time"].get("orders", "all")
        )
    if aps and "odoo_executed" in results:
        key = _compared_tardiness(size)
        base = results["odoo_executed"]["kpis"][key]
        ratio = aps["kpis"][key] / base if base else None
    lines.append(_targets(size, aps, outside, ratio))
    return "\n".join(lines), outside, ratio


def _compared_tardiness(size):
    """The tardiness the issue's target compares at this size: total at 1,000 orders,
    weighted (what the solver minimises) at 10,000."""
    return "weighted_tardiness_h" if size["mos"] >= 10000 else "total_tardiness_h"


def _verdict(value, limit, unit="s"):
    if value is None:
        return "not measured"
    return "%s (%.1f %s, target <= %s)" % ("PASS" if value <= limit else "FAIL", value, unit, limit)


def _targets(size, aps, outside, ratio):
    """The issue's targets for the size: 1,000 orders (end to end, outside the solver,
    tardiness <= half of Odoo's) or 10,000 (end to end, read, write, memory, weighted
    tardiness <= a fifth of Odoo's)."""
    if not aps:
        return "Targets: med_aps not measured yet."
    timing = aps["time"]
    share = "not measured (Odoo's planning not run yet)" if ratio is None else "%s (%.0f%%)"
    if size["mos"] >= 10000:
        if ratio is not None:
            share = share % ("PASS" if ratio <= 0.2 else "FAIL", 100 * ratio)
        return (
            "Targets (10,000 orders): end to end %s; read %s; write %s; peak memory %s; "
            "weighted tardiness <= 20%% of Odoo's executed plan: %s"
            % (
                _verdict(timing["total_s"], 300),
                _verdict(timing["read_s"], 30),
                _verdict(timing["write_s"], 30),
                _verdict(timing.get("peak_rss_mb"), 4096, "MB"),
                share,
            )
        )
    if ratio is not None:
        share = share % ("PASS" if ratio <= 0.5 else "FAIL", 100 * ratio)
    return (
        "Targets (1,000 orders): end to end %s; outside the solver %s; total tardiness "
        "<= 50%% of Odoo's executed plan: %s"
        % (_verdict(timing["total_s"], 120), _verdict(outside, 30), share)
    )


def _bench_orders(env):
    return env["mrp.production"].search(
        [("origin", "=", BENCH_ORIGIN), ("state", "=", "confirmed")]
    )


def run_odoo(env, problem_out=None, progress=500, common_origin=None):
    """Plan with Odoo's loop and measure its plan from the time the loop started, or from
    ``common_origin()`` when it returns one (the med_aps run's, read once Odoo's loop is
    done: Odoo's executed plan then starts from the same time as med_aps's)."""
    from odoo.addons.med_aps.services.plan_reader import PlanReader

    from med_aps_engine import validate

    origin = datetime.now().replace(second=0, microsecond=0)
    timing = plan_with_odoo(env, progress)
    origin = (common_origin and common_origin()) or origin
    timing["origin"] = origin
    productions = _bench_orders(env)
    problem, scope = _problem_for(env, productions, origin)
    as_dated = PlanReader(scope).read_plan()
    chosen = {op["op"]: (op["resource"], op["start"]) for op in as_dated["operations"]}
    executed = replay(problem, chosen)
    env.cr.rollback()  # the helper run is not part of the benchmark
    if problem_out:
        with open(problem_out, "w", encoding="utf-8") as handle:
            json.dump({"problem": problem, "odoo_executed": executed}, handle)
    return {
        "odoo_dates": {
            "kpis": kpis(problem, as_dated, validate(problem, as_dated)),
            "time": timing,
        },
        "odoo_executed": {
            "kpis": kpis(problem, executed, validate(problem, executed)),
            "time": {},
        },
    }


def run_aps(env, time_limit, workers, orm_write=None):
    from unittest.mock import patch

    from odoo.addons.med_aps.models import med_aps_run
    from odoo.addons.med_aps.services.plan_reader import PlanReader
    from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

    from med_aps_engine import validate

    writer = med_aps_run.PlanWriter
    if orm_write:
        writer = {"write": _orm_plan_writer, "write_multi": _write_multi_plan_writer}[orm_write]()
    with patch.object(med_aps_run, "PlanWriter", writer):
        timing = plan_with_med_aps(env, time_limit, workers)
    run = env["med.aps.run"].browse(timing.pop("run_id"))
    problem, scope = ProblemBuilder(run, origin=run.plan_origin).build()
    plan = PlanReader(scope).read_plan()
    result = kpis(problem, plan, validate(problem, plan))
    result.update(_odoo_invariants(env, scope.productions, run))
    if orm_write:
        return {"med_aps_orm": {"kpis": result, "time": timing, "orm_write": orm_write}}
    return {"med_aps": {"kpis": result, "time": timing}}


def _odoo_invariants(env, productions, run):
    """Odoo's side of a written plan: work orders whose reservation does not match their
    dates and work center, orders not marked planned or not spanning their work orders,
    orders with more than one message of the run (all 0 when right), and its messages."""
    workorders = productions.workorder_ids.filtered(lambda wo: wo.state not in ("done", "cancel"))
    bad_reservations = workorders.filtered(
        lambda wo: (
            not wo.leave_id
            or (wo.leave_id.date_from, wo.leave_id.date_to) != (wo.date_start, wo.date_finished)
            or wo.leave_id.resource_id != wo.workcenter_id.resource_id
            or wo.leave_id.calendar_id != wo.workcenter_id.resource_calendar_id
        )
    )
    bad_orders = productions.filtered(
        lambda mo: (
            not (mo.is_planned and mo.aps_planned)
            or mo.date_start != min(mo.workorder_ids.mapped("date_start"))
            or mo.date_finished != max(mo.workorder_ids.mapped("date_finished"))
        )
    )
    notes = env["mail.message"]._read_group(
        [
            ("model", "=", "mrp.production"),
            ("res_id", "in", productions.ids),
            # every message of the run on them: its notes, and any tracking of the write
            ("create_date", ">=", run.date_started),
        ],
        ["res_id"],
        ["__count"],
    )
    return {
        "bad_reservations": len(bad_reservations),
        "bad_orders": len(bad_orders),
        "run_notes": sum(count for _res_id, count in notes),
        "orders_with_notes_over_one": sum(1 for _res_id, count in notes if count > 1),
    }


def _orm_plan_writer():
    """med_aps's plan writer with ORM writes in place of its SQL batches (``--orm-write``).

    Work orders change work center first, grouped by the new one (Odoo recomputes the
    duration and end on a work center change, so the plan's dates come after); then one
    ``write()`` per work order (their dates differ, so there is nothing to group), whose
    date inverse (``_set_dates``) creates or moves the reservation and which moves the order's
    dates from its first and last work order; then one ``write()`` per order, which moves its
    component moves. ``mail_notrack`` keeps the one chatter note per moved order of the run;
    ``force_date`` keeps the orders planned.
    """
    import json as json_lib

    from odoo.addons.med_aps.services.plan_writer import (
        PRODUCTION_COLUMNS,
        WORKORDER_COLUMNS,
        PlanWriter,
    )

    wo_fields = (
        "date_start",
        "date_finished",
        "duration_expected",
        "aps_changeover_minutes",
        "aps_setup_minutes",
        "aps_batch_ref",
        "aps_unit",
        "aps_run_id",
    )

    class OrmPlanWriter(PlanWriter):
        def _create_leaves(self, leave_creates, wo_rows):
            return  # the inverse of the work orders' dates creates them

        def _write_workorders(self, wo_rows, leave_updates):
            # the work orders' writes move their orders' dates: keep them for the notes
            self.dates_before = {
                mo.id: (mo.date_start, mo.date_finished) for mo in self.scope.productions
            }
            workorder_model = self.env["mrp.workorder"].with_context(mail_notrack=True)
            new_workcenter = defaultdict(list)
            for row in wo_rows:
                workorder = workorder_model.browse(row[0])
                if workorder.workcenter_id.id != row[1]:
                    new_workcenter[row[1]].append(row[0])
            for workcenter_id, ids in new_workcenter.items():
                workorders = workorder_model.browse(ids)
                workorders.write({"workcenter_id": workcenter_id})
                # Odoo moves the reservation's resource, not its calendar
                workorders.leave_id.sudo().write(
                    {"calendar_id": workorders.workcenter_id.resource_calendar_id.id}
                )
            for row in wo_rows:
                values = dict(zip(WORKORDER_COLUMNS, row, strict=True))
                workorder_model.browse(row[0]).write({key: values[key] for key in wo_fields})

        def _production_rows(self, current, skipped):
            mo_rows, raw_rows, _changes = super()._production_rows(current, skipped)
            mo_changes = {}
            for row in mo_rows:
                before = self.dates_before[row[0]]
                if before != (row[1], row[2]):
                    mo_changes[row[0]] = (*before, row[1], row[2])
            return mo_rows, raw_rows, mo_changes

        def _write_productions(self, mo_rows):
            production_model = self.env["mrp.production"].with_context(
                force_date=True, mail_notrack=True
            )
            for row in mo_rows:
                values = dict(zip(PRODUCTION_COLUMNS, row, strict=True))
                production_model.browse(row[0]).write(
                    {
                        "date_start": values["date_start"],
                        "date_finished": values["date_finished"],
                        "aps_planned_finish": values["aps_planned_finish"],
                        "aps_late_causes": json_lib.loads(values["aps_late_causes"])
                        if values["aps_late_causes"]
                        else False,
                        "aps_last_run_id": values["aps_last_run_id"],
                        "aps_planned": True,
                    }
                )

        def _write_component_dates(self, raw_rows):
            return []  # mrp.production.write moved them with the order's start

        def _recompute(self, free_ids, leave_updates, mo_rows, move_ids):
            self.env.flush_all()
            return self.env["mrp.production"].browse([row[0] for row in mo_rows])

    return OrmPlanWriter


def _write_multi_plan_writer():
    """med_aps's plan writer with each of its SQL batches of rows replaced by the ORM's
    batched low-level write (``_write_multi``: one ``UPDATE ... FROM (VALUES ...)`` per set of
    columns, built by the ORM from the fields' column types). Like the SQL batches it skips
    ``write()`` overrides and tracking; the writer's ``modified`` calls recompute what
    depends on the columns."""
    from odoo.addons.med_aps.services.plan_writer import PlanWriter

    table_models = {
        "mrp_workorder": "mrp.workorder",
        "mrp_production": "mrp.production",
        "resource_calendar_leaves": "resource.calendar.leaves",
    }

    class WriteMultiPlanWriter(PlanWriter):
        def _update_values(self, table, columns, rows, casts):
            if not rows:
                return
            model = self.env[table_models[table]].sudo()
            # write_date and write_uid are set by _write_multi itself
            names = [name for name in columns[1:] if name not in ("write_date", "write_uid")]
            records = model.browse([row[0] for row in rows])
            vals_list = []
            for record, row in zip(records, rows, strict=True):
                values = dict(zip(columns, row, strict=True))
                if values.get("aps_late_causes"):
                    values["aps_late_causes"] = json.loads(values["aps_late_causes"])
                vals_list.append(
                    {
                        name: model._fields[name].convert_to_column(values[name], record)
                        for name in names
                    }
                )
            records._write_multi(vals_list)

    return WriteMultiPlanWriter


def _load_results(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


def _save_results(path, saved):
    """Write ``saved``, keeping the columns another phase wrote meanwhile (Odoo's planning
    can run for hours beside a med_aps run on the other copy)."""
    for key, value in _load_results(path).get("results", {}).items():
        saved["results"].setdefault(key, value)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(saved, handle, indent=2, default=str)


def _aps_origin(results):
    """The origin of the med_aps plan of earlier results, if any (naive UTC)."""
    origin = results.get("med_aps", {}).get("time", {}).get("plan_origin")
    return datetime.fromisoformat(str(origin)) if origin else None


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    source = "%s_bench_src" % args.database
    copies = ("%s_bench_odoo" % args.database, "%s_bench_aps" % args.database)
    if args.orm_write:
        copies += ("%s_bench_aps_orm" % args.database,)
    keep = args.keep or set(args.phases) != set(PHASES)
    saved = _load_results(args.json) if args.json and set(args.phases) != set(PHASES) else {}
    results = saved.setdefault("results", {})
    try:
        if "build" in args.phases:
            results.clear()
            _duplicate(args.database, source)
            start = time.perf_counter()
            saved["size"] = _with_env(source, build_plant, args.mos, args.seed)
            saved["build_s"] = time.perf_counter() - start
            print(
                "Plant built in %.1f s: %d orders, %d work orders"
                % (saved["build_s"], saved["size"]["mos"], saved["size"]["workorders"]),
                flush=True,
            )
            for copy in copies:
                _duplicate(source, copy)
        if "size" not in saved:
            raise SystemExit("no plant: run the 'build' phase first (with the same --json)")
        # med_aps first when Odoo's planning runs later: its plan origin is the common one
        if "aps" in args.phases:
            results.update(_with_env(copies[1], run_aps, args.time_limit, args.workers))
            if args.orm_write:
                results.update(
                    _with_env(copies[2], run_aps, args.time_limit, args.workers, args.orm_write)
                )
            if args.json:
                _save_results(args.json, saved)
        if "odoo" in args.phases:

            def common_origin():
                if args.json:
                    results.update({**_load_results(args.json).get("results", {}), **results})
                return _aps_origin(results)

            results.update(
                _with_env(copies[0], run_odoo, args.problem_out, args.progress, common_origin)
            )
        text, outside, ratio = report(saved["size"], results)
        print(text)
        saved.update({"outside_solver_s": outside, "tardiness_ratio": ratio})
        if args.json:
            _save_results(args.json, saved)
    finally:
        if not keep:
            for name in (source, *copies):
                _drop(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
