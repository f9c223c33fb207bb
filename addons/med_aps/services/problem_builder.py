"""Read the planning scope from Odoo records into a med_aps_engine problem dict, and the
``PlanScope`` (services/plan_scope.py) that maps it back to Odoo.

All times of the problem are integer minutes from ``origin`` (now, rounded down to the
minute, naive UTC like every Odoo datetime). Identifiers: ``WC/<mrp.workcenter id>``,
``MO/<mrp.production id>``, ``WO/<mrp.workorder id>``, ``SF/<setup family id>``,
``BF/<batch family id>``.
"""

import functools
import gc
import math
from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.tools import float_round
from odoo.tools.intervals import Intervals

from med_aps_engine.builders import make_mode, make_operation
from med_aps_engine.calendar import Calendar

from .plan_scope import FreeWorkorder, PlanScope, StoredWorkorder

PENDING_MO_STATES = ("confirmed", "progress", "to_close")
DEFAULT_HORIZON_DAYS = 120
UNLIMITED_UNITS_CAP = 50
# Odoo ends a 24:00 attendance at 23:59:59.999999; this much is added before flooring
CALENDAR_END_TOLERANCE = timedelta(seconds=1)


class PlanningDataError(Exception):
    """Bad master data; the message names the record and the problem."""


# minute intervals go through Odoo's own interval arithmetic (no records attached to them)
NO_RECORDS = frozenset()


def _merge(intervals):
    """Sorted, disjoint ``[start, end)`` lists of ``intervals`` (touching ones joined)."""
    return [
        [start, end] for start, end, _none in Intervals((a, b, NO_RECORDS) for a, b in intervals)
    ]


def _subtract(intervals, blocked):
    """``intervals`` minus ``blocked``, as sorted ``[start, end)`` lists."""
    if not blocked:
        return intervals
    difference = Intervals((a, b, NO_RECORDS) for a, b in intervals) - Intervals(
        (a, b, NO_RECORDS) for a, b in blocked
    )
    return [[start, end] for start, end, _none in difference]


def _saturated(bookings, capacity):
    """Sub-intervals where at least ``capacity`` bookings overlap."""
    events = []
    for start, end in bookings:
        events.append((start, 1))
        events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    level = 0
    result = []
    open_at = None
    for moment, delta in events:
        level += delta
        if level >= capacity and open_at is None:
            open_at = moment
        elif level < capacity and open_at is not None:
            result.append([open_at, moment])
            open_at = None
    return _merge(result)


def sql_id_array(ids):
    """Record ids as one PostgreSQL array literal, for ``= ANY(%s::int[])``: psycopg2 adapts
    a Python list element by element, which costs more than the query on thousands of ids."""
    return "{%s}" % ",".join(str(int(record_id)) for record_id in ids)


@functools.lru_cache(maxsize=4096)
def _round_expected(minutes):
    """Odoo's rounding of a stored expected duration (2 decimals), once per value: thousands
    of work orders share a few durations, and Odoo's ``float_round`` is slow per call."""
    return float_round(minutes, precision_digits=2)


def _available_minutes(calendar, start, end):
    """Working minutes of ``calendar`` (sorted disjoint ``[start, end)`` lists) in
    ``[start, end)``, by the engine's calendar arithmetic."""
    return Calendar(calendar).working_minutes(start, end)


# a previous start further back than this is sent as this (the engine's bound is 10 years)
PAST_LIMIT_MINUTES = 366 * 1440


# learned durations count from this many finished work orders on (system parameter
# med_aps.learning_min_samples)
LEARNING_MIN_SAMPLES = 5


class ProblemBuilder:
    """Build the engine's problem of a run's scope and the ``PlanScope`` beside it.

    One builder serves one ``build()``; the writer, the plan reader and the run's messages
    work with the scope it returns, never with the builder.
    """

    def __init__(self, run, origin=None):
        self.run = run
        self.env = run.env
        # the minute the plan starts from; a re-read of a written plan passes its run's
        self.origin = origin or fields.Datetime.now().replace(second=0, microsecond=0)
        self.scope = None
        # read by build() and shared by its steps
        self.write_dates = {}  # wo id -> write_date as stored when the problem was read
        self.fixed = {}  # wo id -> "progress" or "locked"
        self.worked_minutes = {}  # wo id (in progress) -> minutes logged up to now
        # wo id -> candidate mrp.workcenter records (read by the secondary-resource hooks:
        # docs/architecture.md)
        self.candidates = {}
        self.calendars = {}  # "WC/x" -> list of [start, end)
        self.workorder_ids = set()
        self.production_ids = set()
        self.move_release = {}  # stock.move id -> minute its material is available
        # stock.move id -> id of the order of the scope that makes its component to stock
        self.move_made_by = {}
        self.release_lead = {}  # mo id -> minutes from finish to product release
        self.final_hold = {}  # mo id -> hold after its last operations
        # (operation id, wc id) -> actual/planned ratio, when the run plans with them
        self.duration_factors = {}
        # (wo id, wc id) of the modes whose tools or operators do not fit
        self.unfit_modes = set()
        # (wc id, product id, uom id, default capacity) -> Odoo's (capacity, setup, cleanup):
        # thousands of work orders share a few products and work centers
        self.capacities = {}
        # (operation id, product id) -> (setup family key, batch family key, interruptible)
        self.operation_families = {}
        self.stored = {}  # wo id -> StoredWorkorder
        # wo id -> ids of the work orders of the scope it waits for
        self.blockers = defaultdict(set)
        self.batch_by_quantity = {}  # wc id -> its batches count quantities, not orders
        self._order_products = {}  # mo id -> (product id, uom id, bom quantity or 1)
        # work centers blocked on the shop floor, and per one of them the free work orders
        # planned elsewhere or left on it
        self.blocked = self.env["mrp.workcenter"]
        self.blocked_left = defaultdict(int)
        self.blocked_stuck = defaultdict(int)

    def _error(self, message):
        raise PlanningDataError(message)

    def _workorder_error(self, workorder, message):
        """Master data that keeps one work order from being planned (no tool or operator
        fits it, no working time, no duration): a run stops with the message."""
        self._error(message)

    def warn(self, message):
        """Tell the planner something about the data read that did not stop the run (a tool
        whose calibration expired, an operator whose qualification lapsed); the run shows it."""
        if message not in self.scope.warnings:
            self.scope.warnings.append(message)

    def to_minutes(self, value, rounding="floor"):
        return self.scope.to_minutes(value, rounding)

    # ------------------------------------------------------------------ scope
    def _scope_productions(self):
        run = self.run
        domain = [
            ("state", "in", PENDING_MO_STATES),
            ("company_id", "=", run.company_id.id),
            ("workorder_ids", "any", [("state", "not in", ("done", "cancel"))]),
        ]
        if run.production_ids:
            domain.append(("id", "in", run.production_ids.ids))
        if run.warehouse_id:
            domain.append(("picking_type_id.warehouse_id", "=", run.warehouse_id.id))
        if run.workcenter_ids:
            domain.append(
                (
                    "workorder_ids",
                    "any",
                    [
                        ("workcenter_id", "in", run.workcenter_ids.ids),
                        ("state", "not in", ("done", "cancel")),
                    ],
                )
            )
        if run.date_to:
            domain.append(("date_start", "<=", run.date_to))
        if run.date_from:
            domain += [
                "|",
                ("date_deadline", ">=", run.date_from),
                "&",
                ("date_deadline", "=", False),
                ("date_finished", ">=", run.date_from),
            ]
        return self.env["mrp.production"].search(domain, order="id")

    def _scope_workorders(self, productions):
        return self.env["mrp.workorder"].search(
            [("production_id", "in", productions.ids), ("state", "not in", ("done", "cancel"))],
            order="production_id, sequence, id",
        )

    # ------------------------------------------------------------------ build
    def build(self):
        """Read the run's scope: return ``(problem, scope)``, the engine's problem dict and
        the ``PlanScope`` that maps it back to Odoo. Raises ``PlanningDataError`` on master
        data the engine cannot plan with."""
        # tens of thousands of small dicts and records: the collector's passes over them
        # only slow the reading down (they find no cycles to free)
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._build()
        finally:
            if gc_was_enabled:
                gc.enable()

    def _build(self):
        productions = self._scope_productions()
        workorders = self._scope_workorders(productions)
        scope = self.scope = PlanScope(
            origin=self.origin,
            productions=productions,
            workorders=workorders,
            workcenters=self.env["mrp.workcenter"],
        )
        self.production_ids = set(productions.ids)
        self.workorder_ids = set(workorders.ids)
        self._read_workorders(productions, workorders)
        self.write_dates = self._read_write_dates(workorders)
        self._order_products = self._read_order_products(productions)
        self.fixed = self._fixed_workorders(workorders)
        self.worked_minutes = self._read_worked_minutes(workorders)
        self.candidates = self._candidate_workcenters(workorders)
        scope.workcenters = self._check_workcenters(self.candidates)
        self.batch_by_quantity = {
            wc.id: wc.aps_batch_capacity_type == "qty" for wc in scope.workcenters
        }
        self.blocked = scope.workcenters._aps_blocked()
        scope.horizon = self._horizon(workorders)
        self.calendars = self._read_calendars(scope.workcenters, workorders, scope.horizon)
        self.duration_factors = self._read_duration_factors()
        self._read_family_names()
        resources = self._build_resources(workorders)
        self._read_secondary_sources(workorders)
        self._read_material(productions)
        wos_by_production = defaultdict(list)
        for workorder in workorders:
            wos_by_production[self.stored[workorder.id].production_id].append(workorder)
        self._read_finish_offsets(productions, wos_by_production)
        jobs = []
        previous_plan = {}
        for production in productions:
            pending = wos_by_production[production.id]
            if pending:
                jobs.append(self._build_job(production, pending, previous_plan))
        scope.operation_count = sum(len(job["operations"]) for job in jobs)
        self._warn_blocked()
        self._drop_unused_secondary(jobs)
        problem = self._prepare_problem(resources, jobs, previous_plan)
        return problem, scope

    def _prepare_problem(self, resources, jobs, previous_plan):
        """The problem dict around its resources and jobs: origin, horizon, the previous
        plan, the frozen window and the run's weights."""
        run = self.run
        problem = {
            "schema_version": 1,
            "origin": self.origin.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "horizon": self.scope.horizon,
            "resources": resources,
            "jobs": jobs,
            "previous_plan": previous_plan,
            "frozen_until": int(round((run.frozen_hours or 0.0) * 60)),
            "objective": {
                "weighted_tardiness": run.weight_tardiness,
                "makespan": run.weight_makespan,
                "flow_time": run.weight_flow_time,
                "changeover": run.weight_changeover,
                "stability": run.weight_stability,
                "earliness": run.weight_earliness,
            },
        }
        if self.scope.secondary:
            # tools and operators: a version 2 problem (a plan without them stays version 1)
            problem["schema_version"] = 2
            problem["secondary_resources"] = [
                source.vals for source in self.scope.secondary.values()
            ]
        return problem

    def _read_write_dates(self, workorders):
        """The work orders' write_date as stored: the ORM cache may hold an older one after a
        flush of recomputed fields (e.g. a run earlier in the same transaction), and the
        writer compares with the stored value."""
        return {
            workorder_id: self.stored[workorder_id].write_date for workorder_id in workorders.ids
        }

    def _read_duration_factors(self):
        """The learned actual/planned ratios, when the run plans with actual durations."""
        if not self.run.use_learned_durations:
            return {}
        return self._learned_duration_factors()

    def _learned_duration_factors(self):
        """``{(operation id, wc id): actual/planned ratio}`` of the run's company."""
        param = self.env["ir.config_parameter"].sudo().get_param("med_aps.learning_min_samples")
        try:
            min_samples = max(1, int(param or LEARNING_MIN_SAMPLES))
        except ValueError:
            min_samples = LEARNING_MIN_SAMPLES
        return self.env["med.aps.duration.learning"]._aps_duration_factors(
            self.run.company_id, min_samples
        )

    def _read_workorders(self, productions, workorders):
        """The stored columns of the scope's orders and work orders the build reads for each
        work order (``self.stored``), what each waits for in the scope (``self.blockers``)
        and their names: in SQL, the same values without the ORM's cost per record on
        thousands of them."""
        self.env.flush_all()
        names = self.scope.names
        cr = self.env.cr
        cr.execute(
            "SELECT id, name FROM mrp_production WHERE id = ANY(%s::int[])",
            [sql_id_array(productions.ids)],
        )
        order_names = dict(cr.fetchall())
        for production_id, name in order_names.items():
            names["MO/%d" % production_id] = name
        cr.execute(
            """
            SELECT wo.id, wo.production_id, wo.workcenter_id, wo.operation_id, wo.name,
                   wo.duration_expected, COALESCE(operation.aps_hold_minutes, 0),
                   COALESCE(operation.aps_hold_max_minutes, 0), wo.write_date,
                   CASE WHEN wo.state = 'progress' THEN 'progress'
                        WHEN (wo.aps_locked OR production.aps_locked)
                             AND wo.date_start IS NOT NULL AND wo.date_finished IS NOT NULL
                        THEN 'locked' END,
                   wo.aps_run_id
              FROM mrp_workorder wo
              JOIN mrp_production production ON production.id = wo.production_id
              LEFT JOIN mrp_routing_workcenter operation ON operation.id = wo.operation_id
             WHERE wo.id = ANY(%s::int[])
            """,
            [sql_id_array(workorders.ids)],
        )
        for row in cr.fetchall():
            workorder_id, production_id, name = row[0], row[1], row[4]
            self.stored[workorder_id] = StoredWorkorder(
                production_id=production_id,
                workcenter_id=row[2],
                operation_id=row[3],
                name=name,
                duration_expected=row[5] or 0.0,
                hold_minutes=max(0, row[6]),
                hold_max_minutes=row[7] or None,
                write_date=row[8],
                fixed_kind=row[9],
                run_id=row[10],
            )
            names["WO/%d" % workorder_id] = "%s - %s" % (order_names[production_id], name)
        cr.execute(
            """
            SELECT workorder_id, blocked_by_id FROM mrp_workorder_dependencies_rel
             WHERE workorder_id = ANY(%(ids)s::int[]) AND blocked_by_id = ANY(%(ids)s::int[])
            """,
            {"ids": sql_id_array(workorders.ids)},
        )
        for workorder_id, blocker_id in cr.fetchall():
            self.blockers[workorder_id].add(blocker_id)

    def _read_family_names(self):
        names = self.scope.names
        for family in self.env["med.aps.setup.family"].with_context(active_test=False).search([]):
            names["SF/%d" % family.id] = family.name
        for family in self.env["med.aps.batch.family"].with_context(active_test=False).search([]):
            names["BF/%d" % family.id] = family.name

    def _fixed_workorders(self, workorders):
        """Work orders the engine must not move: {wo id: "progress" or "locked"} (running,
        or locked with their dates, themselves or by their order)."""
        return {
            workorder_id: self.stored[workorder_id].fixed_kind
            for workorder_id in workorders.ids
            if self.stored[workorder_id].fixed_kind
        }

    def _read_worked_minutes(self, workorders):
        """Minutes worked on each work order in progress: Odoo's ``get_duration`` (closed
        time logs, and open ones up to now: the stored ``duration`` counts an open log only
        once it closes), the time logs of all of them read at once."""
        running = workorders.filtered(lambda wo: self.fixed.get(wo.id) == "progress")
        running.time_ids.fetch(["duration", "date_start", "date_end"])
        return {workorder.id: workorder.get_duration() for workorder in running}

    def _candidate_workcenters(self, workorders):
        """The work centers each work order may run on: its own and, unless it is fixed, its
        own's active alternatives of the same company."""
        candidates = {}
        for workorder in workorders:
            own = workorder.workcenter_id
            if not own:
                self._error(
                    self.env._(
                        "Work order %s has no work center.",
                        self.scope.names["WO/%d" % workorder.id],
                    )
                )
            if workorder.id in self.fixed:
                candidates[workorder.id] = own
            else:
                candidates[workorder.id] = own | own.alternative_workcenter_ids.filtered(
                    lambda wc, own=own: wc.active and wc.company_id == own.company_id
                )
        return candidates

    def _check_workcenters(self, candidates):
        """All candidate work centers, named in the scope, once their master data is checked."""
        env = self.env
        all_workcenters = env["mrp.workcenter"].browse()
        for wcs in candidates.values():
            all_workcenters |= wcs
        for workcenter in all_workcenters:
            self.scope.names["WC/%d" % workcenter.id] = workcenter.name
            if not workcenter.resource_calendar_id:
                self._error(
                    env._(
                        "Work center %s has no working calendar: set its Working Hours.",
                        workcenter.name,
                    )
                )
            if workcenter.time_efficiency <= 0:
                self._error(
                    env._(
                        "Work center %(wc)s has a time efficiency of %(eff)s%%: it must be "
                        "positive.",
                        wc=workcenter.name,
                        eff=workcenter.time_efficiency,
                    )
                )
            if workcenter.aps_enabled and workcenter.aps_parallel_capacity < 1:
                self._error(
                    env._(
                        "Work center %s has a parallel capacity of zero: set at least 1.",
                        workcenter.name,
                    )
                )
        return all_workcenters

    def _horizon(self, workorders):
        """Minutes planned: the configured days, longer if fixed work or the run's end
        reaches further."""
        icp = self.env["ir.config_parameter"].sudo()
        horizon = int(icp.get_param("med_aps.horizon_days", DEFAULT_HORIZON_DAYS)) * 1440
        for workorder in workorders.filtered(lambda wo: wo.id in self.fixed):
            horizon = max(horizon, self.to_minutes(workorder.date_finished, "ceil") + 1440)
        if self.run.date_to:
            horizon = max(horizon, self.to_minutes(self.run.date_to, "ceil"))
        return horizon

    def _build_resources(self, workorders):
        """The engine resources: each work center's own translation of its calendar."""
        ops_per_workcenter = defaultdict(int)
        for workorder in workorders:
            for workcenter in self.candidates[workorder.id]:
                ops_per_workcenter[workcenter.id] += 1
        resources = []
        for workcenter in self.scope.workcenters:
            # an unlimited work center gets as many units as operations could use it
            unlimited_units = max(1, min(ops_per_workcenter[workcenter.id], UNLIMITED_UNITS_CAP))
            resources.append(
                workcenter._aps_resource_vals(
                    self.calendars["WC/%d" % workcenter.id], unlimited_units
                )
            )
        return resources

    def _read_secondary_sources(self, workorders):
        """The tools and operators other addons plan (``med.aps.run._aps_secondary_sources``),
        by engine key, with their names for the run's messages."""
        for source in self.run._aps_secondary_sources(self, workorders):
            key = source.key
            if key in self.scope.secondary or key in self.calendars:
                self._error(self.env._("Two planning resources have the same key %s.", key))
            count = int(source.vals.get("count", 1))
            if len(source.unit_ids) != count:
                self._error(
                    self.env._(
                        "Planning resource %(name)s has %(count)s units but %(records)s "
                        "records behind them.",
                        name=source.vals.get("name") or key,
                        count=count,
                        records=len(source.unit_ids),
                    )
                )
            self.scope.secondary[key] = source
            self.scope.names.setdefault(key, source.vals.get("name") or key)

    def _drop_unused_secondary(self, jobs):
        """Keep the secondary resources some mode requires: a tool no work order of the
        scope needs stays out of the problem (and a problem without any stays version 1)."""
        used = {
            key
            for job in jobs
            for operation in job["operations"]
            for mode in operation["modes"]
            for requirement in mode.get("requires") or ()
            for key in requirement["any_of"]
        }
        for key in list(self.scope.secondary):
            if key not in used:
                del self.scope.secondary[key]

    # ------------------------------------------------------------------ jobs
    def _read_material(self, productions):
        """When components are available, which orders of the scope make them, and how long
        after its last operation each order's product is released."""
        planned = self.env["mrp.workorder"].browse(self.workorder_ids).production_id
        self.move_release, made_by = productions._aps_component_supply(self.origin, planned)
        self.move_made_by = self._acyclic_made_by(productions, made_by)
        self.release_lead = {
            p.id: max(0, int(p._aps_release_lead_minutes() or 0)) for p in productions
        }

    def _acyclic_made_by(self, productions, made_by):
        """``{stock.move id: producing mrp.production id}`` of the components made to stock
        by an order of the scope. A link that would make an order wait for itself (A's
        product feeds B and B's feeds A, e.g. through a by-product) cannot be planned: that
        component is short, as one without any supply (it does not delay the plan), and the
        run says so."""
        waits = defaultdict(set)  # order id -> ids of the orders it waits for
        for production in productions:
            for move in production.move_raw_ids:
                if move.state in ("done", "cancel"):
                    continue
                for child in move.move_orig_ids.production_id:
                    if child.id in self.production_ids and child != production:
                        waits[production.id].add(child.id)

        def waits_for(start, target):
            seen, todo = set(), [start]
            while todo:
                node = todo.pop()
                if node == target:
                    return True
                if node not in seen:
                    seen.add(node)
                    todo.extend(waits[node])
            return False

        accepted = {}
        moves = self.env["stock.move"].browse(sorted(made_by))
        for move in moves:
            producer = made_by[move.id]
            consumer = move.raw_material_production_id.id
            if waits_for(producer, consumer):
                self.warn(
                    self.env._(
                        "%(consumer)s: its %(product)s comes from %(producer)s, which itself "
                        "waits for %(consumer)s; planned as if the component were on hand.",
                        consumer=move.raw_material_production_id.display_name,
                        product=move.product_id.display_name,
                        producer=self.env["mrp.production"].browse(producer).display_name,
                    )
                )
                continue
            waits[consumer].add(producer)
            accepted[move.id] = producer
        return accepted

    def _read_finish_offsets(self, productions, wos_by_production):
        """Per order, the hold after its last pending operations (those no pending work
        order waits for) and the minutes from its last operation to the product's release
        (hold plus release lead)."""
        awaited = {blocker for blockers in self.blockers.values() for blocker in blockers}
        for production in productions:
            self.final_hold[production.id] = max(
                (
                    self.stored[workorder.id].hold_minutes
                    for workorder in wos_by_production[production.id]
                    if workorder.id not in awaited
                ),
                default=0,
            )
            self.scope.finish_offset[production.id] = (
                self.release_lead[production.id] + self.final_hold[production.id]
            )

    def _build_job(self, production, pending, previous_plan):
        """The engine job of an order from its pending work orders; adds the previous plan
        of its free work orders to ``previous_plan``."""
        op_release, op_job_preds = self._material_links(production, pending)
        operations = []
        for workorder in pending:
            operation = self._build_operation(
                workorder,
                self.candidates[workorder.id],
                self.fixed.get(workorder.id),
                self.workorder_ids,
            )
            if workorder.id not in self.fixed:
                if op_release.get(workorder.id):
                    operation["release"] = min(op_release[workorder.id], self.scope.horizon)
                for job_key_pred, lag in op_job_preds.get(workorder.id, {}).items():
                    operation["predecessors"].append({"job": job_key_pred, "min_lag": lag})
                previous = self._previous_plan_entry(workorder)
                if previous:
                    previous_plan["WO/%d" % workorder.id] = previous
            operations.append(workorder._aps_operation_vals(operation))
        due = None
        if production.date_deadline:
            due = max(
                0,
                self.to_minutes(production.date_deadline)
                - self.release_lead[production.id]
                - self.final_hold[production.id],
            )
        return production._aps_job_vals(due, operations)

    def _material_links(self, production, pending):
        """What the order's operations wait for: ``(op_release, op_job_preds)``, the minute
        each work order's components are available ({wo id: minute}) and the orders in the
        scope that make them, chained to the move or made to stock and allotted to it
        ({wo id: {"MO/x": minimum lag}}). A component move feeds its own work order, else the
        order's first operations."""
        workorder_ids = self.workorder_ids
        roots = [wo for wo in pending if not self.blockers.get(wo.id)]
        op_release = defaultdict(int)
        op_job_preds = defaultdict(dict)
        for move in production.move_raw_ids:
            if move.state in ("done", "cancel"):
                continue
            consumers = (
                [move.workorder_id]
                if move.workorder_id and move.workorder_id.id in workorder_ids
                else roots
            )
            release = self.move_release.get(move.id, 0)
            for child in move.move_orig_ids.production_id:
                if child.state in ("done", "cancel") or child == production:
                    continue
                if child.id in self.production_ids:
                    self._wait_for_order(op_job_preds, consumers, child.id)
                elif child.date_finished:
                    lead = max(0, int(child._aps_release_lead_minutes() or 0))
                    release = max(release, self.to_minutes(child.date_finished, "ceil") + lead)
            producer = self.move_made_by.get(move.id)
            if producer:
                # made to stock by an order of the scope: wait for its planned release
                self._wait_for_order(op_job_preds, consumers, producer)
            if release > 0:
                for consumer in consumers:
                    op_release[consumer.id] = max(op_release[consumer.id], release)
        return op_release, op_job_preds

    def _wait_for_order(self, op_job_preds, consumers, producer_id):
        """The ``consumers`` (work orders) wait for the release of the order
        ``producer_id``: its last operation, its release lead and its final hold."""
        lag = self.release_lead[producer_id] + self.final_hold[producer_id]
        key = "MO/%d" % producer_id
        for consumer in consumers:
            op_job_preds[consumer.id][key] = max(op_job_preds[consumer.id].get(key, 0), lag)

    def _previous_plan_entry(self, workorder):
        """Where a free work order stands in the previous plan, or None.

        The previous plan is the one a run wrote (what the shop floor follows); dates from
        Odoo's own scheduling are no plan to keep. A start before now (not started) is kept
        too: the engine moves it as little as it can (to now, shifting what follows if that
        pays) and reports it as a move it had to make (reason "past")."""
        if not (workorder.aps_run_id and workorder.date_start and workorder.workcenter_id):
            return None
        start = self.to_minutes(workorder.date_start)
        return {
            "resource": "WC/%d" % workorder.workcenter_id.id,
            "start": max(start, -PAST_LIMIT_MINUTES),
        }

    # ------------------------------------------------------------------ operations
    def _build_operation(self, workorder, workcenters, fixed_kind, workorder_ids):
        """The engine operation of a work order (before its record's own translation,
        ``mrp.workorder._aps_operation_vals``); ``fixed_kind`` is "progress", "locked" or
        None (a free work order, recorded in the scope for the writer)."""
        wo_key = "WO/%d" % workorder.id
        product_id = self._order_products[self.stored[workorder.id].production_id][0]
        stored = self.stored[workorder.id]
        setup_family, batch_family, interruptible = self._operation_families(
            stored.operation_id, product_id
        )
        modes, duration_by_workcenter = self._operation_modes(workorder, workcenters, fixed_kind)
        batch_size = 1
        if self.batch_by_quantity.get(self.stored[workorder.id].workcenter_id):
            batch_size = workorder.production_id.product_qty
        operation = make_operation(
            wo_key,
            modes,
            name=stored.name,
            predecessors=self._operation_predecessors(workorder, fixed_kind, workorder_ids),
            setup_family=setup_family,
            batch_family=batch_family,
            batch_size=batch_size,
            interruptible=interruptible,
        )
        if fixed_kind:
            operation["in_progress"] = self._fixed_occupation(workorder, fixed_kind)
        else:
            # write_date as read: the writer skips a work order changed since (e.g. started)
            self.scope.free_workorders[workorder.id] = FreeWorkorder(
                duration_by_workcenter=duration_by_workcenter,
                write_date=self.write_dates[workorder.id],
            )
        return operation

    def _operation_families(self, operation_id, product_id):
        """``(setup family key, batch family key, interruptible)`` of a routing operation
        for a product (the operation's families, else the product's), read once per pair:
        thousands of work orders share a few."""
        key = (operation_id, product_id)
        if key not in self.operation_families:
            # read with the others of the scope: one query for all, not one per pair
            operation = (
                self.env["mrp.routing.workcenter"]
                .browse(operation_id)
                .with_prefetch({s.operation_id for s in self.stored.values() if s.operation_id})
            )
            product = (
                self.env["product.product"]
                .browse(product_id)
                .with_prefetch({products[0] for products in self._order_products.values()})
            )
            template = product.product_tmpl_id
            setup = operation.aps_setup_family_id or template.aps_setup_family_id
            batch = operation.aps_batch_family_id or template.aps_batch_family_id
            self.operation_families[key] = (
                "SF/%d" % setup.id if setup else None,
                "BF/%d" % batch.id if batch else None,
                not operation.aps_non_interruptible,
            )
        return self.operation_families[key]

    def _operation_modes(self, workorder, workcenters, fixed_kind):
        """The work order's modes (one per work center it can run on) and its expected
        duration on each ({wc id: minutes}); raises when it can run nowhere."""
        modes = []
        duration_by_workcenter = {}
        for workcenter in workcenters:
            mode, expected = self._operation_mode(workorder, workcenter)
            if mode:
                duration_by_workcenter[workcenter.id] = expected
                modes.append(mode)
        if not modes:
            self._raise_no_mode(workorder, workcenters)
        if not fixed_kind:
            modes = self._leave_blocked(modes, duration_by_workcenter)
        if fixed_kind and workorder.workcenter_id.id not in duration_by_workcenter:
            # a fixed work order keeps its own work center even with a zero duration
            modes.append(make_mode("WC/%d" % workorder.workcenter_id.id, 1))
        return modes, duration_by_workcenter

    def _leave_blocked(self, modes, duration_by_workcenter):
        """A free work order's modes without those on blocked work centers, when it has
        another: a block has no planned end, so a blocked work center works for nobody until
        it is unblocked. Work that can run nowhere else stays (the run and the plan check
        say so). ``duration_by_workcenter`` loses the blocked ones too."""
        blocked = [wc.id for wc in self.blocked if wc.id in duration_by_workcenter]
        if not blocked:
            return modes
        # its own work center keeps a mode without working time: no alternative to leave for
        elsewhere = [
            wc_id
            for wc_id in duration_by_workcenter
            if wc_id not in blocked and self.calendars.get("WC/%d" % wc_id)
        ]
        if not elsewhere:
            for wc_id in blocked:
                self.blocked_stuck[wc_id] += 1
            return modes
        for wc_id in blocked:
            self.blocked_left[wc_id] += 1
            del duration_by_workcenter[wc_id]
        keys = {"WC/%d" % wc_id for wc_id in blocked}
        return [mode for mode in modes if mode["resource"] not in keys]

    def _warn_blocked(self):
        for workcenter in self.blocked:
            if self.blocked_left[workcenter.id]:
                self.warn(
                    self.env._(
                        "Work center %(wc)s is blocked: %(count)s work orders that could run "
                        "on it are planned on its alternatives.",
                        wc=workcenter.name,
                        count=self.blocked_left[workcenter.id],
                    )
                )
            if self.blocked_stuck[workcenter.id]:
                self.warn(
                    self.env._(
                        "Work center %(wc)s is blocked: %(count)s work orders that can run "
                        "nowhere else stay planned on it until it is unblocked.",
                        wc=workcenter.name,
                        count=self.blocked_stuck[workcenter.id],
                    )
                )

    def _operation_mode(self, workorder, workcenter):
        """``(mode, expected minutes)`` of the work order on a work center, or
        ``(None, None)`` when it cannot run there (no working time in the horizon, or no
        duration outside a batch work center)."""
        wc_key = "WC/%d" % workcenter.id
        own = workcenter.id == self.stored[workorder.id].workcenter_id
        if not self.calendars.get(wc_key) and not own:
            return None, None  # an alternative without working time in the horizon
        if own:
            # Odoo's stored expected duration, recomputed by Odoo's own logic when empty
            expected = (
                self.stored[workorder.id].duration_expected or workorder._get_duration_expected()
            )
        else:
            expected = workorder._get_duration_expected(alternative_workcenter=workcenter)
        _capacity, setup, cleanup = self._workcenter_capacity(workcenter, workorder)
        setup = max(0, int(round(setup or 0)))
        cleanup = max(0, int(round(cleanup or 0)))
        # Odoo stores duration_expected with 2 decimals: round alike so that the minutes
        # planned here match what Odoo recomputes once the plan is written
        expected = _round_expected(expected or 0.0)
        processing = max(0.0, expected - setup - cleanup)
        factor = self._duration_factor(workorder, workcenter)
        if factor:
            # as long as such work orders really take (Actual vs Planned Durations)
            processing *= factor
        processing = int(math.ceil(processing - 1e-6))
        if (expected or 0.0) > 0 and processing + setup + cleanup <= 0:
            processing = 1  # a few seconds of work still occupy the work center
        if processing + setup + cleanup <= 0 and not (
            workcenter.aps_enabled and workcenter.aps_batch_enabled
        ):
            return None, None
        mode = make_mode(wc_key, processing, setup, cleanup)
        requires = workorder._aps_mode_requires(workcenter, self)
        if requires is None:
            # a tool it needs does not fit there, or nobody there may do it
            self.unfit_modes.add((workorder.id, workcenter.id))
            return None, None
        if requires:
            mode["requires"] = requires
        return mode, expected

    def _duration_factor(self, workorder, workcenter):
        """The learned ratio the work order's processing time is planned with, or None
        (fixed work keeps its own duration)."""
        if not self.duration_factors or workorder.id in self.fixed:
            return None
        return self.duration_factors.get((workorder.operation_id.id, workcenter.id))

    def _workcenter_capacity(self, workcenter, workorder):
        """Odoo's ``mrp.workcenter._get_capacity`` for the work order's product, read once
        per work center, product, unit and default capacity."""
        product_id, uom_id, default = self._order_products[self.stored[workorder.id].production_id]
        key = (workcenter.id, product_id, uom_id, default)
        if key not in self.capacities:
            self.capacities[key] = workcenter._get_capacity(
                self.env["product.product"].browse(product_id),
                self.env["uom.uom"].browse(uom_id),
                default,
            )
        return self.capacities[key]

    def _read_order_products(self, productions):
        """``{mo id: (product id, unit id, quantity of its bill of materials or 1)}``: what
        Odoo's capacity of a work center depends on (the work order's related fields)."""
        self.env.cr.execute(
            """
            SELECT production.id, production.product_id, production.product_uom_id,
                   bom.product_qty
              FROM mrp_production production
              LEFT JOIN mrp_bom bom ON bom.id = production.bom_id
             WHERE production.id = ANY(%s::int[])
            """,
            [sql_id_array(productions.ids)],
        )
        return {
            production_id: (product_id, uom_id, quantity or 1)
            for production_id, product_id, uom_id, quantity in self.env.cr.fetchall()
        }

    def _raise_no_mode(self, workorder, workcenters):
        env = self.env
        wo_name = self.scope.names["WO/%d" % workorder.id]
        if any((workorder.id, wc.id) in self.unfit_modes for wc in workcenters):
            return self._workorder_error(
                workorder,
                env._(
                    "Work order %(wo)s cannot run on %(wcs)s: none of them has the tools or "
                    "qualified operators it needs.",
                    wo=wo_name,
                    wcs=", ".join(workcenters.mapped("name")),
                ),
            )
        if not any(self.calendars.get("WC/%d" % wc.id) for wc in workcenters):
            return self._workorder_error(
                workorder,
                env._(
                    "Work order %(wo)s: work center %(wc)s has no working time in the "
                    "planning horizon (check its calendar and time off).",
                    wo=wo_name,
                    wc=workorder.workcenter_id.name,
                ),
            )
        return self._workorder_error(
            workorder,
            env._(
                "Work order %(wo)s has no duration: set a duration on operation %(operation)s.",
                wo=wo_name,
                operation=workorder.operation_id.name or workorder.name,
            ),
        )

    def _operation_predecessors(self, workorder, fixed_kind, workorder_ids):
        """The work orders in the scope this one waits for, with the hold of their
        operation (none for a work order in progress)."""
        predecessors = []
        if fixed_kind == "progress":
            return predecessors
        for blocker_id in workorder.blocked_by_workorder_ids.ids:
            if blocker_id not in workorder_ids:
                continue
            blocker = self.stored[blocker_id]
            predecessors.append(
                {
                    "op": "WO/%d" % blocker_id,
                    "min_lag": blocker.hold_minutes,
                    "max_lag": blocker.hold_max_minutes,
                }
            )
        return predecessors

    def _fixed_occupation(self, workorder, fixed_kind):
        """The engine's ``in_progress`` of a fixed work order.

        Fixed work orders are passed as "in progress" on their own work center: the engine
        keeps their start and blocks the working minutes up to their current end (rounded
        outwards to whole minutes, so nothing can overlap them)."""
        wc_key = "WC/%d" % workorder.workcenter_id.id
        start = self.to_minutes(workorder.date_start or self.origin)
        if fixed_kind == "progress":
            remaining = (workorder.duration_expected or 0) - self.worked_minutes[workorder.id]
        else:
            remaining = _available_minutes(
                self.calendars.get(wc_key) or [],
                max(start, 0),
                self.to_minutes(workorder.date_finished, "ceil"),
            )
        return {"resource": wc_key, "start": start, "remaining": max(1, int(math.ceil(remaining)))}

    def _read_calendars(self, workcenters, workorders, horizon):
        """Available intervals per work center: its working time (calendar minus leaves,
        ``mrp.workcenter._aps_working_intervals``) in minutes, minus bookings outside the run."""
        working = workcenters._aps_working_intervals(
            self.origin, self.origin + timedelta(minutes=horizon)
        )
        result = {}
        for workcenter in workcenters:
            minutes = []
            for start, stop in working[workcenter.id]:
                lo = max(0, self.to_minutes(start, "ceil"))
                # without the second, a minute that ends a few microseconds short (an
                # attendance ending at 24:00 stops at 23:59:59.999999) would be lost
                hi = min(horizon, self.to_minutes(stop + CALENDAR_END_TOLERANCE))
                if hi > lo:
                    minutes.append([lo, hi])
            result["WC/%d" % workcenter.id] = _merge(minutes)
        # time booked by work orders outside the scope stays unavailable
        if workcenters:
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT workcenter_id, date_start, date_finished
                  FROM mrp_workorder
                 WHERE workcenter_id = ANY(%s)
                   AND state NOT IN ('done', 'cancel')
                   AND NOT (id = ANY(%s::int[]))
                   AND date_start IS NOT NULL AND date_finished IS NOT NULL
                   AND date_finished > %s AND date_start < %s
                """,
                [
                    workcenters.ids,
                    sql_id_array(workorders.ids),
                    self.origin,
                    self.origin + timedelta(minutes=horizon),
                ],
            )
            bookings = defaultdict(list)
            for wc_id, date_start, date_finished in self.env.cr.fetchall():
                bookings[wc_id].append(
                    [
                        max(0, self.to_minutes(date_start)),
                        min(horizon, self.to_minutes(date_finished, "ceil")),
                    ]
                )
            for workcenter in workcenters:
                if workcenter.id not in bookings:
                    continue
                capacity = workcenter.aps_parallel_capacity if workcenter.aps_enabled else 10**6
                blocked = _saturated(bookings[workcenter.id], max(1, capacity))
                key = "WC/%d" % workcenter.id
                result[key] = _subtract(result[key], blocked)
        return result
