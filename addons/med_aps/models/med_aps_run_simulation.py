"""Simulated plan runs (what-if scenarios) and applying them: the part of ``med.aps.run``
that keeps a plan on the run instead of writing it."""

import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.input_fingerprint import fingerprint_changes, read_fingerprint
from ..services.plan_writer import PlanWriter
from ..services.problem_builder import PlanningDataError
from ..services.scenario_builder import ScenarioProblemBuilder
from .med_aps_run import RunFailure

# written by the run itself only, like the run's other results
SIMULATION_RESULT_FIELDS = frozenset(
    {"simulated_plan", "input_fingerprint", "applied_run_id", "hypothetical_jobs"}
)


class MedApsRun(models.Model):
    _inherit = "med.aps.run"

    trigger = fields.Selection(
        selection_add=[("scenario", "Scenario")], ondelete={"scenario": "set default"}
    )
    simulation = fields.Boolean(
        readonly=True,
        help="A simulation keeps its plan on the run and writes nothing to the work orders, "
        "until a planner applies it.",
    )
    scenario_id = fields.Many2one(
        "med.aps.scenario", readonly=True, check_company=True, index="btree_not_null"
    )
    simulated_plan = fields.Json(
        readonly=True, copy=False, help="The engine's plan of a simulation, kept on the run."
    )
    hypothetical_jobs = fields.Json(
        readonly=True, copy=False, help="The plan's jobs of hypothetical orders and their names."
    )
    input_fingerprint = fields.Json(
        readonly=True,
        copy=False,
        help="The records the simulation planned from, as they were: applying it is refused "
        "once one of them changed.",
    )
    apply_source_id = fields.Many2one(
        "med.aps.run",
        "Applies Simulation",
        readonly=True,
        check_company=True,
        index="btree_not_null",
        help="The simulation whose plan this run writes.",
    )
    applied_run_id = fields.Many2one(
        "med.aps.run", "Applied By", readonly=True, copy=False, check_company=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_result_write(SIMULATION_RESULT_FIELDS & set(vals))
        return super().create(vals_list)

    def write(self, vals):
        self._check_result_write(SIMULATION_RESULT_FIELDS & set(vals))
        return super().write(vals)

    # ------------------------------------------------------------------ simulation
    def _aps_problem_builder(self):
        if self.simulation:
            return ScenarioProblemBuilder(self)
        return super()._aps_problem_builder()

    def _aps_save_plan(self, scope, problem, plan):
        """A simulation keeps the plan and the fingerprint of what it read; it measures the
        plan as the writer would, without writing."""
        if not self.simulation:
            return super()._aps_save_plan(scope, problem, plan)
        self.sudo().write(
            {
                "simulated_plan": plan,
                "hypothetical_jobs": scope.hypothetical_names,
                "input_fingerprint": scope.input_fingerprint,
            }
        )
        return self._aps_simulation_results(scope, problem, plan)

    def _aps_simulation_results(self, scope, problem, plan):
        """The results ``PlanWriter.write_plan`` returns, measured on a plan kept on the run:
        moves against the work orders' current work center and start."""
        self.env.cr.execute(
            "SELECT id, workcenter_id, date_start FROM mrp_workorder WHERE id = ANY(%s)",
            [sorted(scope.free_workorders)],
        )
        current = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        moved = 0
        for op in plan["operations"]:
            key = op["op"]
            if not key.startswith("WO/") or int(key[3:]) not in current:
                continue
            workcenter_id, date_start = current[int(key[3:])]
            if "WC/%d" % (workcenter_id or 0) != op["resource"] or date_start != scope.to_datetime(
                op["start"]
            ):
                moved += 1
        jobs = plan.get("jobs") or []
        return {
            "moved_count": moved,
            "skipped": {},
            "workorder_count": len(plan["operations"]),
            "late_count": sum(1 for job in jobs if (job.get("tardiness") or 0) > 0),
            "weighted_tardiness_hours": sum(job.get("weighted_tardiness") or 0 for job in jobs)
            / 60.0,
            "utilization": PlanWriter(self, scope, problem, plan)._utilization(),
        }

    def _aps_peg_material(self, scope, plan):
        """A simulation writes nothing: the real plan's pegs stay as they are; its holding
        cost is measured on its kept plan, pegged in memory."""
        if not self.simulation:
            return super()._aps_peg_material(scope, plan)
        return self.env["med.aps.peg"]._aps_simulate_for_run(self, scope, plan)

    def _aps_take_pending_events(self):
        # a simulation answers no event: the real plan did not change
        if self.simulation:
            return None
        return super()._aps_take_pending_events()

    # ------------------------------------------------------------------ apply
    def action_apply(self):
        """Write a simulation's plan into the work orders, through a plan run of its own,
        if the records it planned from have not changed since (else refuse, naming them)."""
        self.ensure_one()
        self._check_planner()
        self._aps_check_can_apply()
        changes = self._aps_input_changes()
        if changes:
            raise UserError(self._aps_changed_message(changes))
        self._check_no_running_run()
        run = self.create(
            {
                "trigger": "scenario",
                "company_id": self.company_id.id,
                "apply_source_id": self.id,
                "production_ids": [fields.Command.set(self.production_ids.ids)],
                "workcenter_ids": [fields.Command.set(self.workcenter_ids.ids)],
                "warehouse_id": self.warehouse_id.id,
                "date_from": self.date_from,
                "date_to": self.date_to,
                "time_limit": self.time_limit,
            }
        )
        run.action_start()
        return run._get_form_action()

    def _aps_check_can_apply(self):
        self.ensure_one()
        if not (self.simulation and self.state == "done" and self.simulated_plan):
            raise UserError(
                self.env._(
                    "Run %s is not a finished simulation: there is no simulated plan to apply.",
                    self.name,
                )
            )
        if self.applied_run_id:
            raise UserError(
                self.env._(
                    "Simulation %(run)s was already applied by %(applied)s.",
                    run=self.name,
                    applied=self.applied_run_id.name,
                )
            )

    def _aps_input_changes(self, fingerprint=None):
        """What changed in the records the simulation planned from (planner's words)."""
        self.ensure_one()
        before = self.input_fingerprint or {}
        if fingerprint is None:
            # the quick check before queuing: the same orders and work centers read again
            # (the run that applies it compares a complete re-read)
            builder = ScenarioProblemBuilder(self, origin=self.plan_origin, demands=[])
            productions = builder._scope_productions()
            workorders = builder._scope_workorders(productions)
            fingerprint = read_fingerprint(
                self.env,
                productions.ids,
                workorders.ids,
                {int(wc_id) for wc_id in before.get("mrp.workcenter") or {}},
                self.plan_origin,
                before.get("horizon") or 0,
            )
        return fingerprint_changes(self.env, before, fingerprint)

    def _aps_changed_message(self, changes):
        return self.env._(
            "Simulation %(run)s cannot be applied: the data it planned from changed since. "
            "%(changes)s. Simulate the scenario again.",
            run=self.name,
            changes="; ".join(changes),
        )

    def _aps_applied_plan(self):
        """The simulated plan without the hypothetical orders' operations."""
        plan = dict(self.simulated_plan)
        hypothetical = set(self.hypothetical_jobs or [])
        plan["operations"] = [op for op in plan["operations"] if op["job"] not in hypothetical]
        plan["jobs"] = [job for job in plan.get("jobs") or [] if job["job"] not in hypothetical]
        return plan

    def _process_locked(self):
        if self.apply_source_id:
            return self._aps_process_apply()
        return super()._process_locked()

    def _aps_process_apply(self):
        """Write the simulation's plan if what it read is unchanged: the problem is read
        again from the same origin, and its fingerprint must equal the simulation's."""
        self.ensure_one()
        source = self.apply_source_id
        self.sudo().write(
            {
                "state": "running",
                "date_started": fields.Datetime.now(),
                "progress": 10.0,
                "progress_message": self.env._("Checking the data of %s", source.name),
                "failure_reason": False,
            }
        )
        self._commit()
        timings = {}
        try:
            source._aps_check_can_apply()
            start = time.monotonic()
            try:
                with self.env.cr.savepoint():
                    builder = ScenarioProblemBuilder(source, origin=source.plan_origin, demands=[])
                    problem, scope = builder.build()
            except PlanningDataError as error:
                raise RunFailure(str(error)) from error
            timings["read_seconds"] = time.monotonic() - start
            changes = source._aps_input_changes(scope.input_fingerprint)
            if changes:
                raise RunFailure(source._aps_changed_message(changes))
            self.sudo().plan_origin = source.plan_origin
            from med_aps_engine.plan import restate_changeovers

            # without the hypothetical orders, an operation may follow another one on its
            # unit than in the simulation: its changeover is the one from its new neighbour
            plan = restate_changeovers(problem, source._aps_applied_plan())
            self._set_progress(60.0, self.env._("Writing the plan"))
            start = time.monotonic()
            with self.env.cr.savepoint():
                result = PlanWriter(self, scope, problem, plan).write_plan()
                timings["write_seconds"] = time.monotonic() - start
                self._write_results(plan, result, timings)
                source.sudo().write({"applied_run_id": self.id})
            self._commit()
        except (RunFailure, UserError) as error:
            self._mark_failed(str(error), timings)

    # ------------------------------------------------------------------ comparison
    def _aps_compare_values(self):
        """The figures two runs are compared by (Compare Plan Runs), in display order:
        dicts with ``key``, ``label``, ``value`` and ``lower_is_better``. Extend with
        ``super()`` to compare more."""
        self.ensure_one()
        env = self.env
        return [
            {
                "key": "weighted_tardiness",
                "label": env._("Lateness (h, weighted)"),
                "value": self.weighted_tardiness,
                "lower_is_better": True,
            },
            {
                "key": "late_count",
                "label": env._("Late Orders"),
                "value": self.late_count,
                "lower_is_better": True,
            },
            {
                "key": "moved_count",
                "label": env._("Moved Work Orders"),
                "value": self.moved_count,
                "lower_is_better": True,
            },
            {
                "key": "makespan_hours",
                "label": env._("Plan Ends After (h)"),
                "value": self.makespan_hours,
                "lower_is_better": True,
            },
            {
                "key": "holding_cost",
                "label": env._("Holding Cost"),
                "value": self.holding_cost,
                "lower_is_better": True,
            },
            {
                "key": "changeover_minutes",
                "label": env._("Changeover Time (min)"),
                "value": self.changeover_minutes,
                "lower_is_better": True,
            },
            {
                "key": "workorder_count",
                "label": env._("Work Orders"),
                "value": self.workorder_count,
                "lower_is_better": False,
            },
        ]

    def _aps_late_orders(self):
        """Names of the orders this run plans late: from the kept plan of a simulation,
        else the orders it planned that are late."""
        self.ensure_one()
        if self.simulation:
            plan = self.simulated_plan or {}
            hypothetical = self.hypothetical_jobs or {}
            late = [job["job"] for job in plan.get("jobs") or [] if job.get("tardiness")]
            real_ids = [int(key[3:]) for key in late if key not in hypothetical]
            names = {
                production.id: production.name
                for production in self.env["mrp.production"].browse(real_ids).exists()
            }
            return [
                hypothetical[key] if key in hypothetical else names.get(int(key[3:]), key)
                for key in late
            ]
        return (
            self.env["mrp.production"]
            .search([("aps_last_run_id", "=", self.id), ("aps_is_late", "=", True)], order="name")
            .mapped("name")
        )

    def action_compare(self):
        """Compare two runs side by side (the selected ones, or this one and the latest
        finished run of its company before it)."""
        runs = self
        if len(runs) == 1:
            runs |= self.search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "done"),
                    ("id", "!=", self.id),
                ],
                limit=1,
            )
        if len(runs) != 2:
            raise UserError(self.env._("Select two plan runs to compare."))
        first, second = runs.sorted("id")
        wizard = self.env["med.aps.run.compare"].create(
            {"run_a_id": first.id, "run_b_id": second.id}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Compare Plan Runs"),
            "res_model": "med.aps.run.compare",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
