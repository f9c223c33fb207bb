"""Capable-to-promise: the earliest date a quantity of a product can be delivered.

The current plan is kept: every planned work order occupies its work center as written, as
work outside a run's scope does. The new demand is a hypothetical manufacturing order
(``ScenarioProblemBuilder``: Odoo creates and confirms it inside a savepoint that is rolled
back, so its bill of materials, routing, make-to-order sub-assemblies and component moves
are Odoo's own), planned alone into the free time as early as possible; components that are
short and not covered by an incoming receipt wait for their purchase (or manufacturing) lead
time. The engine's validator checks the plan behind the date.

It answers inside the request: the read is of the new order alone and the solver gets a hard
time limit (system parameter ``med_aps_sale.promise_time_limit``, default 5 s, at most 8 s),
so the answer comes within the 10 s a salesperson waits at the phone.
"""

import math
import os
import time

from odoo.exceptions import UserError
from odoo.tools import format_datetime

from odoo.addons.med_aps.services.problem_builder import PlanningDataError
from odoo.addons.med_aps.services.scenario_builder import ScenarioProblemBuilder

from med_aps_engine.calendar import Calendar

DEFAULT_TIME_LIMIT = 5.0
MAX_TIME_LIMIT = 8.0


class PromiseProblemBuilder(ScenarioProblemBuilder):
    """The hypothetical order alone, the current plan kept; components short without an
    incoming receipt wait for their lead time."""

    def __init__(self, run, demands):
        super().__init__(run, demands=demands, only_demands=True)
        self.component_waits = {}  # minute -> product names whose components come then

    def _read_material(self, productions):
        result = super()._read_material(productions)
        for move in productions.move_raw_ids:
            if move.state in ("done", "cancel") or not move.product_id.is_storable:
                continue
            if move.move_orig_ids.production_id or move.id in self.move_made_by:
                continue  # made by an order of its own, planned with it
            product = move.product_id
            minute = self.move_release.get(move.id)
            if minute is None:
                short = move.product_qty - move.quantity - max(0.0, product.free_qty)
                if short <= 1e-6:
                    continue
                minute = self._lead_minutes(product, short)
                if minute <= 0:
                    continue
                self.move_release[move.id] = minute
            self.component_waits.setdefault(minute, []).append(product.display_name)
        return result

    def _lead_minutes(self, product, quantity):
        """Minutes until a missing component can be there: its vendor's delivery lead time
        (and the company's purchase lead time) or, when it is manufactured, its
        manufacturing lead time."""
        company = self.run.company_id
        days = 0.0
        seller = product.seller_ids.filtered(lambda s: not s.company_id or s.company_id == company)[
            :1
        ]
        if seller:
            days = seller.delay + (getattr(company, "po_lead", 0.0) or 0.0)
        elif product.bom_ids:
            days = product.produce_delay + (company.manufacturing_lead or 0.0)
        return int(math.ceil(days * 1440))


class PromiseDate:
    """Compute the earliest delivery of one demand for a company (read-only)."""

    def __init__(self, env, company):
        self.env = env
        self.company = company

    def _time_limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param("med_aps_sale.promise_time_limit")
        try:
            limit = float(value) if value else DEFAULT_TIME_LIMIT
        except ValueError:
            limit = DEFAULT_TIME_LIMIT
        if not math.isfinite(limit) or limit <= 0:
            limit = DEFAULT_TIME_LIMIT
        return min(limit, MAX_TIME_LIMIT)

    def compute(self, product, quantity, name):
        """``{"date", "reason", "kind", "workcenter", "components", "problem", "plan",
        "seconds"}``: the promised date (naive UTC), why it is not earlier, and the problem
        and plan behind it."""
        from med_aps_engine import EngineError, SolveOptions, solve, validate

        env = self.env
        started = time.monotonic()
        run = env["med.aps.run"].new(
            {
                "company_id": self.company.id,
                "time_limit": self._time_limit(),
                "workers": min(2, os.cpu_count() or 1),
                "weight_stability": 0,
            }
        )
        demand = {
            "name": name,
            "product": product,
            "quantity": quantity,
            "bom": env["mrp.bom"],
            # due now: every minute of the finish counts, the earliest plan wins
            "deadline": None,
            "priority": "1",
        }
        builder = PromiseProblemBuilder(run, [demand])
        try:
            with env.cr.savepoint():
                problem, scope = builder.build()
        except PlanningDataError as error:
            raise UserError(str(error)) from error
        job_key = next(
            (key for key, job_name in scope.hypothetical_names.items() if job_name == name),
            None,
        )
        for job in problem["jobs"]:
            job["due"] = 0
        try:
            plan = solve(
                problem,
                options=SolveOptions(time_limit=run.time_limit, workers=run.workers),
            )
        except EngineError as error:
            raise UserError(
                env._("The promise date could not be computed: %s", scope.translate_ids(str(error)))
            ) from error
        if plan.get("status") not in ("OPTIMAL", "FEASIBLE") or validate(problem, plan):
            raise UserError(
                env._(
                    "No plan delivers %(qty)s %(product)s within the planning horizon: check "
                    "its routing's work centers and their calendars.",
                    qty=quantity,
                    product=product.display_name,
                )
            )
        ops = [op for op in plan["operations"] if op["job"] == job_key]
        finish = max(op["end"] for op in ops)
        mo_id = int(job_key.split("/")[1])
        date = scope.to_datetime(finish + scope.finish_offset.get(mo_id, 0))
        result = {
            "date": date,
            "problem": problem,
            "plan": plan,
            "seconds": time.monotonic() - started,
        }
        result.update(self._reason(problem, plan, scope, job_key, builder))
        return result

    def _reason(self, problem, plan, scope, job_key, builder):
        """Why the date is not earlier: walk back from the order's last operation along what
        held each operation back; the longest wait for a work center is the bottleneck, a
        first operation held by its release waits for material (unless a work center, open,
        kept work waiting an hour or more: a night the work center is closed after the
        material comes is no bottleneck)."""
        env = self.env
        planned = {op["op"]: op for op in plan["operations"]}
        calendars = {res["id"]: res.get("calendar") for res in problem["resources"]}
        operations = {}
        job_ops = {}
        for job in problem["jobs"]:
            job_ops[job["id"]] = [op["id"] for op in job["operations"]]
            for operation in job["operations"]:
                operations[operation["id"]] = (job, operation)
        current = max(job_ops[job_key], key=lambda op_id: planned[op_id]["end"])
        worst = (0, None)  # minutes waited, op id
        open_wait = 0  # minutes of the worst wait the work center was open
        material = None
        seen = set()
        while current and current not in seen:
            seen.add(current)
            job, operation = operations[current]
            earliest = max(job.get("release") or 0, operation.get("release") or 0)
            binding = None
            for pred in operation.get("predecessors") or []:
                if pred.get("op"):
                    ready, pred_op = planned[pred["op"]]["end"], pred["op"]
                else:
                    pred_op = max(job_ops[pred["job"]], key=lambda op_id: planned[op_id]["end"])
                    ready = planned[pred_op]["end"]
                ready += pred.get("min_lag") or 0
                if ready > earliest:
                    earliest, binding = ready, pred_op
            start = planned[current]["start"]
            waited = start - earliest
            if waited > worst[0]:
                worst = (waited, current)
                calendar = calendars.get(planned[current]["resource"])
                open_wait = Calendar(calendar).working_minutes(earliest, start)
            if binding is None and earliest > 0:
                material = earliest
            current = binding
        names = scope.names
        if material is not None and (worst[1] is None or open_wait < 60):
            components = builder.component_waits.get(material) or []
            return {
                "kind": "material",
                "workcenter": False,
                "components": components,
                "reason": env._(
                    "Material: %(components)s available on %(date)s.",
                    components=", ".join(components) or env._("components"),
                    date=_format(env, scope.to_datetime(material)),
                ),
            }
        if worst[1] is not None and worst[0] > 0:
            resource = planned[worst[1]]["resource"]
            workcenter = names.get(resource, resource)
            return {
                "kind": "bottleneck",
                "workcenter": workcenter,
                "components": [],
                "reason": env._(
                    "Bottleneck: %(workcenter)s is booked or closed until %(date)s.",
                    workcenter=workcenter,
                    date=_format(env, scope.to_datetime(planned[worst[1]]["start"])),
                ),
            }
        return {
            "kind": "lead_time",
            "workcenter": False,
            "components": [],
            "reason": env._("Lead time: the operations alone need until then; nothing waits."),
        }


def _format(env, value):
    return format_datetime(env, value, dt_format="short")
