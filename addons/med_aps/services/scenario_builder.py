"""The problem of a what-if scenario: the run's scope as Odoo has it, with the scenario's
edits applied (``med.aps.scenario.line``):

* a hypothetical order is created and confirmed as a real manufacturing order inside a
  savepoint, so that Odoo itself explodes its bill of materials, routing, component moves and
  make-to-order sub-assemblies; the builder reads it like any order and the savepoint is
  rolled back before the solver starts: nothing of it stays in the database;
* a work center closure removes a period from its available time, extra capacity (overtime,
  an extra shift) adds one;
* a deadline or priority change replaces the order's due minute or weight in the problem.

It also takes the fingerprint of the real records it read (``input_fingerprint``), which a
simulated plan must still match to be applied.
"""

from ..models.mrp_production import PRIORITY_WEIGHTS
from .input_fingerprint import read_fingerprint
from .problem_builder import PlanningDataError, ProblemBuilder, _merge, _subtract


class ScenarioProblemBuilder(ProblemBuilder):
    """``ProblemBuilder`` with what-if edits and hypothetical orders.

    :param demands: the hypothetical orders, dicts with ``product`` (product.product),
        ``quantity``, ``bom`` (mrp.bom or empty: Odoo's own choice), ``deadline`` (naive UTC
        datetime or None), ``priority`` ("0"/"1") and ``name``; None takes those of the run's
        scenario
    :param only_demands: plan the hypothetical orders alone, the existing plan kept as it is
        (its work orders occupy their work centers, as work outside a run's scope does)
    """

    def __init__(self, run, origin=None, demands=None, only_demands=False):
        super().__init__(run, origin=origin)
        scenario = run.scenario_id
        lines = scenario.line_ids if scenario else run.env["med.aps.scenario.line"]
        if demands is None:
            demands = [line._aps_demand_vals() for line in lines if line.kind == "new_order"]
        self.demands = demands
        self.only_demands = only_demands
        self.closures = [line for line in lines if line.kind == "closure"]
        self.extra_capacity = [line for line in lines if line.kind == "capacity"]
        self.order_changes = {
            line.production_id.id: line for line in lines if line.kind == "order_change"
        }
        self.hypothetical = run.env["mrp.production"]
        # ids of the real work orders read, and the work centers each may use
        self._real_workorder_ids = set()
        self._candidate_ids = {}

    # ------------------------------------------------------------------ build
    def build(self):
        """``(problem, scope)`` with the edits applied; ``scope.hypothetical_jobs`` holds the
        job keys of the hypothetical orders and ``scope.input_fingerprint`` the fingerprint
        of the real records read."""
        if not self.demands:
            problem, scope = super().build()
            hypothetical_ids = set()
            scope.hypothetical_names = {}
        else:
            savepoint = self.env.cr.savepoint()
            try:
                self.hypothetical = self._create_hypothetical_orders()
                problem, scope = super().build()
                hypothetical_ids = set(self.hypothetical.ids)
                scope.hypothetical_names = {
                    "MO/%d" % production.id: production.name for production in self.hypothetical
                }
            finally:
                # nothing of the hypothetical orders stays (the cache is cleared with it)
                savepoint.close(rollback=True)
        real_workorder_ids = set(self._real_workorder_ids)
        workcenter_ids = set()
        for wo_id in real_workorder_ids:
            workcenter_ids.update(self._candidate_ids[wo_id])
        scope.hypothetical_jobs = sorted("MO/%d" % mo_id for mo_id in hypothetical_ids)
        scope.productions = scope.productions.browse(
            [mo_id for mo_id in scope.productions.ids if mo_id not in hypothetical_ids]
        )
        scope.workorders = scope.workorders.browse(
            [wo_id for wo_id in scope.workorders.ids if wo_id in real_workorder_ids]
        )
        for wo_id in list(scope.free_workorders):
            if wo_id not in real_workorder_ids:
                del scope.free_workorders[wo_id]
        scope.input_fingerprint = read_fingerprint(
            self.env,
            scope.productions.ids,
            real_workorder_ids,
            workcenter_ids,
            self.origin,
            scope.horizon,
        )
        return problem, scope

    def _create_hypothetical_orders(self):
        """Create and confirm the hypothetical orders and what Odoo's procurement makes for
        them (make-to-order sub-assemblies); returns all of them."""
        env = self.env
        company = self.run.company_id
        Production = env["mrp.production"].sudo().with_company(company)
        env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mrp_production")
        last_id = env.cr.fetchone()[0]
        vals_list = []
        for demand in self.demands:
            product = demand["product"]
            bom = demand.get("bom") or env["mrp.bom"]._bom_find(
                product, company_id=company.id, bom_type="normal"
            ).get(product)
            if not bom:
                raise PlanningDataError(
                    env._(
                        "%(name)s: product %(product)s has no bill of materials to manufacture it.",
                        name=demand["name"],
                        product=product.display_name,
                    )
                )
            if not bom.operation_ids:
                raise PlanningDataError(
                    env._(
                        "%(name)s: the bill of materials of %(product)s has no operation to plan.",
                        name=demand["name"],
                        product=product.display_name,
                    )
                )
            picking_type = bom.picking_type_id or env["stock.picking.type"].search(
                [("code", "=", "mrp_operation"), ("company_id", "=", company.id)], limit=1
            )
            vals_list.append(
                {
                    "name": demand["name"],
                    "product_id": product.id,
                    "product_qty": demand["quantity"],
                    "product_uom_id": product.uom_id.id,
                    "bom_id": bom.id,
                    "company_id": company.id,
                    "picking_type_id": picking_type.id,
                    "date_deadline": demand.get("deadline") or False,
                    "priority": demand.get("priority") or "0",
                    "origin": demand["name"],
                }
            )
        productions = Production.create(vals_list)
        productions.action_confirm()
        # with what procurement made for them: sub-assemblies of make-to-order components
        return Production.search(
            [("id", ">", last_id), ("company_id", "=", company.id)], order="id"
        ).sudo(False)

    # ------------------------------------------------------------------ scope
    def _scope_productions(self):
        if self.only_demands:
            return self.hypothetical
        productions = super()._scope_productions()
        if self.hypothetical:
            productions = (productions | self.hypothetical).sorted("id")
        return productions

    def _candidate_workcenters(self, workorders):
        candidates = super()._candidate_workcenters(workorders)
        hypothetical = set(self.hypothetical.ids)
        self._real_workorder_ids = {
            workorder.id
            for workorder in workorders
            if workorder.production_id.id not in hypothetical
        }
        self._candidate_ids = {wo_id: wcs.ids for wo_id, wcs in candidates.items()}
        return candidates

    # ------------------------------------------------------------------ edits
    def _read_calendars(self, workcenters, workorders, horizon):
        """Available time with the scenario's closures removed and extra capacity added."""
        calendars = super()._read_calendars(workcenters, workorders, horizon)
        for line in self.extra_capacity:
            key = "WC/%d" % line.workcenter_id.id
            if key in calendars:
                calendars[key] = _merge(calendars[key] + self._line_minutes(line, horizon))
        for line in self.closures:
            key = "WC/%d" % line.workcenter_id.id
            if key in calendars:
                calendars[key] = _subtract(calendars[key], self._line_minutes(line, horizon))
        return calendars

    def _line_minutes(self, line, horizon):
        start = max(0, self.to_minutes(line.date_from))
        end = min(horizon, self.to_minutes(line.date_to, "ceil"))
        return [[start, end]] if end > start else []

    def _build_job(self, production, pending, previous_plan):
        """The order's job with the scenario's deadline or priority of the order."""
        job = super()._build_job(production, pending, previous_plan)
        change = self.order_changes.get(production.id)
        if change:
            if change.date_deadline:
                job["due"] = max(
                    0,
                    self.to_minutes(change.date_deadline)
                    - self.release_lead[production.id]
                    - self.final_hold[production.id],
                )
            if change.priority:
                job["weight"] = PRIORITY_WEIGHTS.get(change.priority, 1)
        return job
