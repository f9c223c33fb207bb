import logging
import math
import os
import threading
import time

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError

from ..services.plan_writer import PlanWriter
from ..services.problem_builder import PlanningDataError, ProblemBuilder

_logger = logging.getLogger(__name__)

GOOD_STATUSES = ("OPTIMAL", "FEASIBLE")
# api_replan(wait=True) plans inside the HTTP request: only short solver time limits
WAIT_TIME_LIMIT_MAX = 30.0
# api_replan(wait=True) waits this long at most for a running repair of the company
WAIT_FOR_REPAIR_MAX = 60.0
WAIT_FOR_REPAIR_POLL = 0.5

SCOPE_KEYS = {
    "company_id",
    "production_ids",
    "workcenter_ids",
    "warehouse_id",
    "date_from",
    "date_to",
}
PARAM_KEYS = {
    "time_limit",
    "workers",
    "weight_tardiness",
    "weight_makespan",
    "weight_flow_time",
    "weight_changeover",
    "weight_stability",
    "weight_earliness",
    "frozen_hours",
    "use_learned_durations",
}


# What a run found and did: written by the run itself (superuser paths) only, never by a user
RESULT_FIELDS = frozenset(
    {
        "name",
        "user_id",
        "state",
        "progress",
        "attempt_count",
        "progress_message",
        "solver_status",
        "objective",
        "bound",
        "gap",
        "makespan_hours",
        "weighted_tardiness",
        "late_count",
        "changeover_count",
        "changeover_minutes",
        "moved_count",
        "moved_forced_count",
        "moved_improving_count",
        "moved_followed_count",
        "moved_reasons",
        "skipped_count",
        "skipped_note",
        "resource_warnings",
        "holding_cost",
        "workorder_count",
        "read_seconds",
        "solve_seconds",
        "write_seconds",
        "date_started",
        "plan_origin",
        "date_finished",
        "failure_reason",
        "conflict_retries",
        "workcenter_line_ids",
    }
)
# a change of these reloads the open run forms (Odoo's bus)
LIVE_FIELDS = frozenset({"state", "progress", "progress_message"})
RUN_UPDATE_NOTIFICATION = "med_aps.run/update"
# the longest run a planner may ask for, unless the system parameter says otherwise
DEFAULT_MAX_TIME_LIMIT = 3600.0
STOP_POLL_SECONDS = 1.0


class RunFailure(Exception):
    """A run stopped for a reason the planner can act on (message is user-facing)."""


class MedApsRun(models.Model):
    _name = "med.aps.run"
    _inherit = ["med.job.mixin"]
    _description = "APS Plan Run"
    # one run at a time per company: runs of different companies plan in parallel
    _job_serial_field = "company_id"
    # an interrupted run is failed, not planned again behind the planner's back
    _job_max_attempts = 1
    _job_cron_method = "_cron_process_queued_runs"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    user_id = fields.Many2one(
        "res.users", "Started By", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    trigger = fields.Selection(
        [
            ("button", "Button"),
            ("wizard", "Wizard"),
            ("cron", "Scheduled Action"),
            ("api", "API"),
            ("server_action", "Server Action"),
            ("demo", "Demo Data"),
            ("repair", "Plan Repair"),
        ],
        required=True,
        default="button",
        readonly=True,
    )
    # state and progress: med.job.mixin's
    progress_message = fields.Char(readonly=True, copy=False)
    # scope
    production_ids = fields.Many2many(
        "mrp.production",
        string="Manufacturing Orders",
        check_company=True,
        help="Leave empty to plan every confirmed or in-progress order of the company.",
    )
    workcenter_ids = fields.Many2many(
        "mrp.workcenter",
        string="Work Centers",
        check_company=True,
        help="Only plan orders with a pending operation on these work centers.",
    )
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True)
    date_from = fields.Datetime("From", help="Only orders due (or starting) after this date.")
    date_to = fields.Datetime("To", help="Only orders starting before this date.")
    # parameters
    time_limit = fields.Float("Time Limit (s)", default=30.0)
    workers = fields.Integer(default=lambda self: min(2, os.cpu_count() or 1))
    weight_tardiness = fields.Integer("Tardiness Weight", default=1000)
    weight_makespan = fields.Integer("Makespan Weight", default=1)
    weight_flow_time = fields.Integer("Flow Time Weight", default=0)
    weight_changeover = fields.Integer("Changeover Weight", default=1)
    weight_stability = fields.Integer(
        "Stability Weight",
        default=30_000,
        help="Cost of moving one work order of the previous plan: at the default tardiness "
        "weight, one move costs as much as 30 minutes of lateness of a normal-priority order. "
        "A replan keeps the plan unless a move pays for itself; 0 lets it reshuffle freely.",
    )
    weight_earliness = fields.Integer(
        "Earliness Weight",
        default=0,
        help="Cost of each minute an order finishes before its deadline (times its priority "
        "weight). 0 plans as early as possible; a weight above the makespan weight plans "
        "orders just in time against their deadlines, trading holding cost against the risk "
        "of lateness (compare with the tardiness weight: 1000 per minute late by default).",
    )
    frozen_hours = fields.Float(
        "Frozen Window (h)",
        default=0.0,
        help="Work orders of the previous plan starting within this many hours from now keep "
        "their work center and start.",
    )
    use_learned_durations = fields.Boolean(
        "Plan With Actual Durations",
        help="Plan each operation on each work center with its planned processing time times "
        "the median ratio of actual to planned processing time of its latest finished work "
        "orders (Actual vs Planned Durations), where at least 5 work orders are behind it "
        "(system parameter med_aps.learning_min_samples); setup and cleanup stay the work "
        "center's.",
    )
    # results
    solver_status = fields.Selection(
        [
            ("OPTIMAL", "Best possible plan (proven)"),
            ("FEASIBLE", "Good plan, not proven the best"),
            ("INFEASIBLE", "No plan satisfies the constraints"),
            ("MODEL_INVALID", "Planning model invalid"),
            ("UNKNOWN", "No plan found in time"),
        ],
        readonly=True,
        copy=False,
    )
    objective = fields.Float(
        readonly=True,
        copy=False,
        help="The weighted sum the solver minimizes: lateness minutes times the tardiness "
        "weight and the order weight, plus changeover minutes, moved work orders and the "
        "plan's end, each times its weight.",
    )
    bound = fields.Float(
        readonly=True,
        copy=False,
        help="No plan of this scope can have a lower objective. It comes from the solver or, "
        "for large plants, from a relaxation: each order's routing on the work centers' "
        "working time, and the queue of each group of interchangeable work centers run as "
        "one machine as fast as all its units, fed no faster than the group before it "
        "finishes, with work orders that may be interrupted and batch cycles always full; "
        "changeovers, tools and batch families are left out.",
    )
    gap = fields.Float(readonly=True, copy=False, digits=(16, 4))
    gap_percent = fields.Float(
        "Distance to Bound (%)",
        compute="_compute_gap_percent",
        digits=(16, 1),
        help="How much better than this plan the best possible plan could at most be. The "
        "bound comes from the solver or, on large plants, from a relaxation (routings on "
        "working time, each group of interchangeable work centers as one faster machine fed "
        "no faster than the group before it finishes, work orders interruptible, batch "
        "cycles always full, no changeovers): a large distance may mean a weak bound, not a "
        "poor plan.",
    )
    makespan_hours = fields.Float("Makespan (h)", readonly=True, copy=False, digits=(16, 2))
    weighted_tardiness = fields.Float(
        "Weighted Tardiness (h)", readonly=True, copy=False, digits=(16, 2)
    )
    late_count = fields.Integer("Late Orders", readonly=True, copy=False)
    changeover_count = fields.Integer("Changeovers", readonly=True, copy=False)
    changeover_minutes = fields.Integer("Changeover (min)", readonly=True, copy=False)
    moved_count = fields.Integer("Moved Work Orders", readonly=True, copy=False)
    moved_forced_count = fields.Integer(
        "Moved: Had To",
        readonly=True,
        copy=False,
        help="Work orders of the previous plan whose position no longer fitted (start passed, "
        "material later, a predecessor late, a lock): kept as close as possible.",
    )
    moved_improving_count = fields.Integer(
        "Moved: To Improve",
        readonly=True,
        copy=False,
        help="Work orders of the previous plan that could have stayed but were moved because "
        "the plan gains more (less lateness, fewer changeovers) than the moves cost, "
        "including those only pushed later by the work before them.",
    )
    moved_followed_count = fields.Integer(
        "Moved: Pushed Later",
        readonly=True,
        copy=False,
        help="Of the work orders moved to improve the plan, those only pushed later on the "
        "same work center by the work before them: their previous step, or the work now in "
        "their slot, ends later, and they start right behind it (e.g. a queue that follows a "
        "work order that ran over, rather than that work order waiting for the next free "
        "slot).",
    )
    moved_reasons = fields.Json(
        "Why Work Orders Had To Move",
        readonly=True,
        copy=False,
        help="Work orders that had to move, counted by reason (engine reason codes).",
    )
    moved_note = fields.Char("Moves", compute="_compute_moved_note")
    skipped_count = fields.Integer(
        "Skipped Work Orders",
        readonly=True,
        copy=False,
        help="Work orders the run left as they were: done, cancelled or changed while it planned.",
    )
    skipped_note = fields.Text("Skipped", readonly=True, copy=False)
    holding_cost = fields.Monetary(
        readonly=True,
        copy=False,
        currency_field="company_currency_id",
        help="Cost of the stock the plan holds: components from receipt (or now) to "
        "consumption, finished products from the order's finish to the delivery (made to "
        "stock: to the order's deadline), valued at cost and the company's carrying rate. "
        "A simulation measures its own plan.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    resource_warnings = fields.Text(
        readonly=True,
        copy=False,
        help="Tools, equipment or operators the run could not use, and the work orders "
        "that affects (an expired calibration or qualification, equipment out of service); "
        "components it could not wait for (made by an order that waits for their order).",
    )
    workorder_count = fields.Integer("Work Orders", readonly=True, copy=False)
    read_seconds = fields.Float("Read (s)", readonly=True, copy=False, digits=(16, 2))
    solve_seconds = fields.Float("Solve (s)", readonly=True, copy=False, digits=(16, 2))
    write_seconds = fields.Float("Write (s)", readonly=True, copy=False, digits=(16, 2))
    date_started = fields.Datetime("Started", readonly=True, copy=False)
    plan_origin = fields.Datetime(
        readonly=True,
        copy=False,
        help="Time zero of the plan (minutes of the engine problem count from here).",
    )
    date_finished = fields.Datetime("Finished", readonly=True, copy=False)
    failure_reason = fields.Text(readonly=True, copy=False)
    conflict_retries = fields.Integer(
        "Repeats After a Conflict",
        readonly=True,
        copy=False,
        help="A repair queued again because the one before it met an operator's change "
        "while writing: how many such repairs in a row this one is.",
    )
    workcenter_line_ids = fields.One2many(
        "med.aps.run.workcenter", "run_id", "Utilization", readonly=True, copy=False
    )
    workorder_ids = fields.One2many("mrp.workorder", "aps_run_id", "Planned Work Orders")
    repair_event_ids = fields.One2many(
        "med.aps.plan.event", "repair_run_id", "Events Repaired", readonly=True
    )

    def _aps_take_pending_events(self):
        """A replan answers the events recorded before it started: all of them when it
        planned the company's whole plant, else those of the orders it planned. They need no
        repair of their own any more."""
        self.ensure_one()
        if self.trigger == "repair":
            return
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "=", "pending"),
            ("date", "<=", self.date_started),
            "|",
            ("repair_run_id", "=", False),
            ("repair_run_id.state", "in", ("failed", "cancelled")),
        ]
        if any((self.workcenter_ids, self.warehouse_id, self.date_from, self.date_to)):
            return
        if self.production_ids:
            domain.append(("production_id", "in", self.production_ids.ids))
        self.env["med.aps.plan.event"].sudo().search(domain).write({"repair_run_id": self.id})

    def _aps_repair_neighbourhood(self):
        """A repair run searches around its events only (the engine's neighbourhood repair):
        the operations of the events' work orders and orders; with the work the kept plan had
        to move, their work centers and what follows, the engine derives the rest. None for
        other runs (they plan their whole scope)."""
        self.ensure_one()
        if self.trigger != "repair":
            return None
        events = self.repair_event_ids
        workorders = events.workorder_id | events.production_id.workorder_ids
        return sorted("WO/%d" % workorder.id for workorder in workorders)

    def _aps_repair_reason(self, limit=3):
        """The events a repair run answers, in a planner's words (the first ``limit``)."""
        self.ensure_one()
        events = self.repair_event_ids.sorted("date")
        texts = [event.message for event in events[:limit]]
        if len(events) > limit:
            texts.append(self.env._("%(count)s more events", count=len(events) - limit))
        return "; ".join(texts)

    def _moved_reasons_text(self):
        """The reasons why work orders had to move, in a planner's words."""
        self.ensure_one()
        env = self.env
        labels = {
            "fixed": lambda n: env._("%(count)s locked or started elsewhere", count=n),
            "past": lambda n: env._("%(count)s whose planned start had passed", count=n),
            "resource": lambda n: env._(
                "%(count)s whose work center is no longer allowed", count=n
            ),
            "release": lambda n: env._("%(count)s whose material or release comes later", count=n),
            "predecessor": lambda n: env._("%(count)s whose previous step ends later", count=n),
            "calendar": lambda n: env._("%(count)s whose work center is closed then", count=n),
            "occupied": lambda n: env._(
                "%(count)s whose slot went to work that had to move", count=n
            ),
        }
        reasons = self.moved_reasons or {}
        parts = [label(reasons[code]) for code, label in labels.items() if reasons.get(code)]
        if not parts:
            return ""
        return self.env._("Had to move: %(reasons)s.", reasons="; ".join(parts))

    @api.depends(
        "state",
        "moved_count",
        "moved_forced_count",
        "moved_improving_count",
        "moved_followed_count",
        "moved_reasons",
    )
    def _compute_moved_note(self):
        for run in self:
            if run.state != "done":
                run.moved_note = False
                continue
            first_time = max(
                0, run.moved_count - run.moved_forced_count - run.moved_improving_count
            )
            followed = min(run.moved_followed_count, run.moved_improving_count)
            run.moved_note = self.env._(
                "%(kept)s kept their place; %(forced)s had to move; %(followed)s pushed later "
                "by the work before them; %(improving)s moved to improve the plan; %(new)s "
                "planned for the first time.",
                kept=max(0, run.workorder_count - run.moved_count),
                forced=run.moved_forced_count,
                followed=followed,
                improving=run.moved_improving_count - followed,
                new=first_time,
            )
            why = run._moved_reasons_text()
            if why:
                run.moved_note = "%s %s" % (run.moved_note, why)

    @api.depends("gap", "solver_status")
    def _compute_gap_percent(self):
        for run in self:
            run.gap_percent = 100.0 * run.gap if run.solver_status else 0.0

    @api.constrains(*PARAM_KEYS, "date_from", "date_to")
    def _check_parameters(self):
        max_time = self._max_time_limit()
        cpus = os.cpu_count() or 1
        for run in self:
            if not math.isfinite(run.time_limit) or not 0 < run.time_limit <= max_time:
                raise ValidationError(
                    self.env._(
                        "Run %(run)s: the time limit must be more than 0 and at most "
                        "%(max)s s (system parameter med_aps.max_time_limit), not %(limit)s.",
                        run=run.name,
                        max=max_time,
                        limit=run.time_limit,
                    )
                )
            if not 1 <= run.workers <= cpus:
                raise ValidationError(
                    self.env._(
                        "Run %(run)s: solver workers must be between 1 and the %(cpus)s CPUs of "
                        "this server, not %(workers)s.",
                        run=run.name,
                        cpus=cpus,
                        workers=run.workers,
                    )
                )
            if run.frozen_hours < 0:
                raise ValidationError(
                    self.env._("Run %(run)s: the frozen window cannot be negative.", run=run.name)
                )
            if run.date_from and run.date_to and run.date_from > run.date_to:
                raise ValidationError(
                    self.env._(
                        "Run %(run)s: the end of the date window is before its start.",
                        run=run.name,
                    )
                )
            weights = (
                run.weight_tardiness,
                run.weight_makespan,
                run.weight_flow_time,
                run.weight_changeover,
                run.weight_stability,
                run.weight_earliness,
            )
            if any(weight < 0 for weight in weights):
                raise ValidationError(
                    self.env._("Run %(run)s: objective weights cannot be negative.", run=run.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_planner()
        for vals in vals_list:
            forged = set(RESULT_FIELDS & set(vals)) - {"name", "user_id"}
            if vals.get("user_id") not in (None, self.env.uid):
                forged.add("user_id")
            if vals.get("name", "/") != "/":
                forged.add("name")
            self._check_result_write(forged)
            vals["name"] = self.env["ir.sequence"].sudo().next_by_code("med.aps.run") or "/"
        return super().create(vals_list)

    def write(self, vals):
        self._check_result_write(RESULT_FIELDS & set(vals))
        if not self.env.su:
            self._check_settings_write(vals)
        result = super().write(vals)
        if LIVE_FIELDS & set(vals):
            self._notify_run_update()
        return result

    def unlink(self):
        if not self.env.su:
            for run in self.filtered(lambda r: r.state in ("queued", "running")):
                raise UserError(
                    self.env._(
                        "Run %(run)s is %(state)s: cancel it before deleting it.",
                        run=run.name,
                        state=run._state_label(),
                    )
                )
        return super().unlink()

    def _check_settings_write(self, vals):
        """A run's settings are the planners' (Manufacturing managers may only delete old
        runs), they describe the plan once the run has started, and where a run comes from
        is set when it is created: a repair run takes the events queued for repairs."""
        if not self.env.user.has_group("med_aps.group_aps_planner"):
            raise AccessError(
                self.env._(
                    "Only APS planners can change plan runs (user %(user)s is not an APS "
                    "Planner; runs %(runs)s).",
                    user=self.env.user.name,
                    runs=", ".join(self.mapped("name")),
                )
            )
        if "trigger" in vals:
            raise UserError(
                self.env._(
                    "Where a plan run comes from is set when it is created (%s).",
                    ", ".join(self.mapped("name")),
                )
            )
        for run in self.filtered(lambda r: r.state != "queued"):
            raise UserError(
                self.env._(
                    "Run %(run)s is %(state)s: its settings describe the plan it made and "
                    "cannot change.",
                    run=run.name,
                    state=run._state_label(),
                )
            )

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _notify_run_update(self):
        """Tell the open run forms and lists to reload (sent when the transaction commits).

        Sent to the APS users' group (planners are in it), the only users who can read
        runs; the message carries the run ids only."""
        group = self.env.ref("med_aps.group_aps_user", raise_if_not_found=False)
        if self and group:
            group.sudo()._bus_send(RUN_UPDATE_NOTIFICATION, {"ids": self.ids})

    def _check_result_write(self, names):
        """Results, state and author are the run's own record: only its processing writes
        them (as superuser); a user cannot, whatever the context or the API used."""
        if names and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of a plan run are written by the run itself, not by users "
                    "(%(runs)s).",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in sorted(names)
                    ),
                    runs=", ".join(self.mapped("name")) or self.env._("new run"),
                )
            )

    @api.model
    def _max_time_limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param("med_aps.max_time_limit")
        try:
            limit = float(value) if value else DEFAULT_MAX_TIME_LIMIT
        except ValueError:
            limit = DEFAULT_MAX_TIME_LIMIT
        return limit if math.isfinite(limit) and limit > 0 else DEFAULT_MAX_TIME_LIMIT

    def action_start(self):
        """Queue the runs and wake up the planning scheduled action."""
        self._check_planner()
        for run in self:
            if run.state != "queued":
                raise UserError(
                    self.env._(
                        "Run %(run)s cannot be started: it is %(state)s.",
                        run=run.name,
                        state=run._state_label(),
                    )
                )
        self._check_no_running_run()
        self._job_trigger()
        return True

    def action_cancel(self):
        self._check_planner()
        for run in self:
            if run.state not in ("queued", "running"):
                raise UserError(
                    self.env._(
                        "Run %(run)s is already finished and cannot be cancelled.", run=run.name
                    )
                )
        return self._job_cancel()

    def action_retry(self):
        """Queue a copy of a finished run with the same scope and parameters; a failed or
        cancelled repair hands its events over to the copy."""
        self.ensure_one()
        new_run = self.copy({"trigger": self.trigger, "user_id": self.env.user.id})
        if self.trigger == "repair":
            self.repair_event_ids.filtered(lambda event: event.state == "pending").sudo().write(
                {"repair_run_id": new_run.id}
            )
        new_run.action_start()
        return new_run._get_form_action()

    def action_open_workorders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mrp.mrp_workorder_todo")
        action.update(
            {
                "domain": [("aps_run_id", "=", self.id)],
                "context": {},
                "display_name": self.env._("Work Orders planned by %s", self.name),
            }
        )
        return action

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "med.aps.run",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # API (XML-RPC execute_kw and JSON-2 /json/2/med.aps.run/<method>)
    # ------------------------------------------------------------------
    @api.model
    def api_replan(self, scope=None, params=None, wait=False):
        """Replan a scope; returns ``{"id", "state", "kpis"}``.

        :param dict scope: optional keys ``company_id``, ``production_ids``,
            ``workcenter_ids``, ``warehouse_id``, ``date_from``, ``date_to``
        :param dict params: optional keys ``time_limit``, ``workers``, ``weight_tardiness``,
            ``weight_makespan``, ``weight_flow_time``, ``weight_changeover``,
            ``weight_stability``, ``frozen_hours``, ``use_learned_durations``
        :param bool wait: run in this request and return the finished run (time limit up
            to ``WAIT_TIME_LIMIT_MAX`` seconds); otherwise the run is queued for the
            planning scheduled action.
        """
        self._check_planner()
        scope = dict(scope or {})
        params = dict(params or {})
        for label, given, allowed in (
            ("scope", scope, SCOPE_KEYS),
            ("params", params, PARAM_KEYS),
        ):
            unknown = sorted(set(given) - allowed)
            if unknown:
                raise UserError(
                    self.env._(
                        "Unknown %(label)s key(s): %(keys)s. Allowed: %(allowed)s.",
                        label=label,
                        keys=", ".join(unknown),
                        allowed=", ".join(sorted(allowed)),
                    )
                )
        vals = {"trigger": "api"}
        company_id = scope.pop("company_id", None) or self.env.company.id
        if company_id not in self.env.user.company_ids.ids:
            raise UserError(
                self.env._("Company %s is not one of your allowed companies.", company_id)
            )
        vals["company_id"] = company_id
        for key in ("production_ids", "workcenter_ids"):
            if key in scope:
                ids = scope.pop(key) or []
                model = self._fields[key].comodel_name
                # what the user may see in its companies: a record of another company gets
                # the same answer as one that does not exist
                existing = self._visible(model, ids)
                missing = sorted(set(ids) - set(existing.ids))
                if missing:
                    raise UserError(
                        self.env._(
                            "%(field)s: no record with id(s) %(ids)s.",
                            field=key,
                            ids=", ".join(map(str, missing)),
                        )
                    )
                vals[key] = [fields.Command.set(ids)]
        vals.update(scope)
        vals.update(params)
        if wait:
            asked = vals.get("time_limit") or self.default_get(["time_limit"])["time_limit"]
            if float(asked) > WAIT_TIME_LIMIT_MAX:
                # Odoo kills requests past limit_time_real: long runs go to the cron worker
                raise UserError(
                    self.env._(
                        "wait=True plans inside the request and is allowed up to a time limit "
                        "of %(max)s s; this run asks for %(asked)s s. Queue it (wait=False) "
                        "and poll api_read.",
                        max=WAIT_TIME_LIMIT_MAX,
                        asked=asked,
                    )
                )
        if wait:
            # the company's plan repair goes first: a queued one is processed here, a running
            # one is waited for (nothing is written before, so the wait may start afresh)
            self._aps_wait_for_repair(self.env["res.company"].browse(company_id))
        run = self.with_company(company_id).create(vals)
        if wait:
            run._check_no_running_run()
            run._process_now()
        elif run._aps_repair_running():
            # queued behind the running repair (one run per company at a time)
            run._job_trigger()
        else:
            run.action_start()
        return {"id": run.id, "state": run.state, "kpis": run._get_kpis()}

    @api.model
    def _aps_company_repairs(self, company, states=("queued", "running")):
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("trigger", "=", "repair"),
                ("state", "in", states),
            ],
            order="id",
        )

    def _aps_repair_running(self):
        """Whether the company of this run is busy with a repair run right now."""
        self.ensure_one()
        return bool(
            self._aps_company_repairs(self.company_id, ("running",))
        ) and self._job_serial_is_busy(self.company_id.id)

    @api.model
    def _aps_wait_for_repair(self, company, timeout=WAIT_FOR_REPAIR_MAX):
        """Before a replan in the request (``api_replan(wait=True)``): wait while a repair of
        ``company`` is being processed (its worker holds the company's lock), up to
        ``timeout`` seconds, then process the company's queued repairs here, first. Another
        run holding the lock is not waited for (the usual refusal follows). Returns whether
        a repair was waited for or processed."""
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            while self._aps_company_repairs(company, ("running",)) and self._job_serial_is_busy(
                company.id
            ):
                if time.monotonic() >= deadline:
                    raise UserError(
                        self.env._(
                            "A plan repair of %(company)s is still running after %(seconds)s "
                            "s; try again shortly or queue the replan (wait=False).",
                            company=company.name,
                            seconds=round(timeout),
                        )
                    )
                time.sleep(WAIT_FOR_REPAIR_POLL)
                waited = True
                if not modules.module.current_test:
                    # nothing written yet: a fresh snapshot sees the repair's end and its plan
                    self.env.cr.rollback()
                    self.env.invalidate_all()
            queued = self._aps_company_repairs(company, ("queued",))[:1]
            if not queued:
                return waited
            waited = True
            try:
                # its events are this replan's if its write fails: no repair again
                queued.with_company(company).with_context(
                    allowed_company_ids=[company.id], aps_replan_follows=True
                )._process_now()
            except UserError:
                # a worker took it in the meantime: wait for it like for a running one
                if (
                    modules.module.current_test
                    or time.monotonic() >= deadline
                    or not self._job_serial_is_busy(company.id)
                ):
                    raise
                time.sleep(WAIT_FOR_REPAIR_POLL)
                self.env.cr.rollback()
                self.env.invalidate_all()

    @api.model
    def api_read(self, run_id):
        """Read a run; returns ``{"id", "state", "solver_status", "progress", "kpis",
        "failure_reason"}`` (``False`` for an empty value: XML-RPC has no null)."""
        run = self._visible(self._name, [run_id])
        if not run:
            raise UserError(self.env._("There is no plan run with id %s.", run_id))
        return {
            "id": run.id,
            "name": run.name,
            "state": run.state,
            "solver_status": run.solver_status or False,
            "progress": run.progress,
            "progress_message": run.progress_message or False,
            "kpis": run._get_kpis(),
            "failure_reason": run.failure_reason or False,
        }

    @api.model
    def _aps_demo_first_plan(self, production_ids, time_limit):
        """The demo plant's first plan, made while the demo data loads, by the demo admin."""
        run = self.create(
            {
                "trigger": "demo",
                "production_ids": [fields.Command.set(production_ids)],
                "time_limit": time_limit,
                "workers": min(2, os.cpu_count() or 1),
            }
        )
        run.sudo().user_id = self.env.ref("base.user_admin")
        run._process_now()
        return run.id

    @api.model
    def _visible(self, model, ids):
        """Records of ``model`` among ``ids`` that the user can read in its companies."""
        if any(isinstance(value, bool) or not isinstance(value, int) for value in ids):
            raise UserError(self.env._("Record ids must be whole numbers: %s.", ids))
        companies = self.env.user.company_ids.ids
        records = self.env[model].with_context(allowed_company_ids=companies)
        return records.search([("id", "in", list(ids))])

    def _get_kpis(self):
        self.ensure_one()
        return {
            "makespan_hours": self.makespan_hours,
            "weighted_tardiness_hours": self.weighted_tardiness,
            "late_count": self.late_count,
            "changeover_count": self.changeover_count,
            "changeover_minutes": self.changeover_minutes,
            "moved_count": self.moved_count,
            "moved_forced_count": self.moved_forced_count,
            "moved_improving_count": self.moved_improving_count,
            "moved_followed_count": self.moved_followed_count,
            "moved_reasons": self.moved_reasons or {},
            "skipped_count": self.skipped_count,
            "workorder_count": self.workorder_count,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "read_seconds": self.read_seconds,
            "solve_seconds": self.solve_seconds,
            "write_seconds": self.write_seconds,
            "utilization": {
                line.workcenter_id.name: line.utilization for line in self.workcenter_line_ids
            },
        }

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------
    @api.model
    def _aps_secondary_sources(self, builder, workorders):
        """The secondary resources (tools, moulds, operators) the run plans beside the work
        centers: a list of ``services.plan_scope.SecondarySource``. None without an addon that
        knows them (the Maintenance and Skills bridges); extend with ``super()``.

        ``builder`` is the ``ProblemBuilder`` reading the run: its origin, horizon
        (``builder.scope.horizon``), work-center calendars, ``names`` and ``warn()``; the
        work orders' modes name what they need through ``mrp.workorder._aps_mode_requires``."""
        return []

    def _cron_process_queued_runs(self):
        """Process queued runs; each processing scheduled action is one slot, and the runs
        of one company never run at the same time (see the med.job.mixin)."""
        return self._job_cron_process()

    def _job_execute(self):
        self.ensure_one()
        # the run's messages are stored in the language of the planner who started it (the
        # scheduled action itself has no language)
        run = self.with_company(self.company_id).with_context(
            allowed_company_ids=[self.company_id.id],
            lang=self.user_id.lang or self.env.lang,
        )
        if not run._is_cancelled():
            run._process_locked()

    def _job_seconds_needed(self):
        return self.time_limit * 1.5 + 60

    def _job_commit(self, processed=0, remaining=None):
        return self._commit(processed=processed, remaining=remaining)

    def _job_check_control_rights(self):
        self._check_planner()

    def _job_interrupted_reason(self):
        return self.env._("The run was interrupted (server restart or crash); nothing was written.")

    @api.model
    def _cron_nightly_replan(self, time_limit=None, frozen_hours=None, company_ids=None):
        """Queue and process one replan per company (nightly scheduled action).

        Parameters come from the arguments (edit the scheduled action's code) or else from
        the system parameters ``med_aps.nightly_time_limit`` and
        ``med_aps.nightly_frozen_hours``.
        """
        icp = self.env["ir.config_parameter"].sudo()
        if time_limit is None:
            time_limit = float(icp.get_param("med_aps.nightly_time_limit", "120"))
        if frozen_hours is None:
            frozen_hours = float(icp.get_param("med_aps.nightly_frozen_hours", "8"))
        companies = (
            self.env["res.company"].browse(company_ids)
            if company_ids
            else self.env["res.company"].search([])
        )
        for company in companies:
            has_work = self.env["mrp.workorder"].search_count(
                [
                    ("production_id.company_id", "=", company.id),
                    ("production_id.state", "in", ("confirmed", "progress", "to_close")),
                    ("state", "not in", ("done", "cancel")),
                ],
                limit=1,
            )
            if not has_work:
                continue
            self.sudo().with_company(company).create(
                {
                    "trigger": "cron",
                    "company_id": company.id,
                    "time_limit": time_limit,
                    "frozen_hours": frozen_hours,
                }
            )
        # the other processing slots take the other companies' runs in parallel
        self._job_trigger()
        self._cron_process_queued_runs()

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------
    @api.model
    def _check_planner(self):
        if self.env.su:
            return
        if not self.env.user.has_group("med_aps.group_aps_planner"):
            raise AccessError(
                self.env._(
                    "Only APS planners can run, cancel or lock plans (user %s is not an APS "
                    "Planner).",
                    self.env.user.name,
                )
            )

    def _check_no_running_run(self):
        """Refuse to start while a run of the same company is being processed."""
        for company in self.company_id:
            if not self._job_serial_is_busy(company.id):
                continue
            running = self.sudo().search(
                [("state", "=", "running"), ("company_id", "=", company.id)],
                limit=1,
                order="id desc",
            )
            if running:
                message = self.env._(
                    "Plan run %(run)s (started by %(user)s at %(date)s) is still running. Wait "
                    "until it is finished or cancel it before starting another one.",
                    run=running.name,
                    user=running.user_id.name,
                    date=running.date_started,
                )
            else:
                message = self.env._(
                    "Another plan run is being processed right now. Wait until it is finished "
                    "before starting another one."
                )
            raise UserError(message)

    def _process_now(self):
        """Process a queued run synchronously in the current transaction."""
        self.ensure_one()
        with self._job_lock_session() as lock_cr:
            if not (
                self._job_try_lock(lock_cr, self._job_serial_lock_key(self.company_id.id))
                and self._job_try_lock(lock_cr, self._job_lock_key())
            ):
                raise UserError(
                    self.env._(
                        "Another plan run is being processed right now. Wait until it is "
                        "finished before starting %s.",
                        self.name,
                    )
                )
            self._job_recover_stale()
            self.sudo().attempt_count += 1
            self._process_locked()
        return self.state

    def _can_commit(self):
        return bool(self.env.context.get("cron_id")) and not modules.module.current_test

    def _commit(self, processed=0, remaining=None):
        """Commit when running in the scheduled action; a plain call keeps the transaction.

        Returns the seconds left to the scheduled action (infinite outside of it).
        """
        if self.env.context.get("cron_id"):
            return self.env["ir.cron"]._commit_progress(processed, remaining=remaining)
        return float("inf")

    def _set_progress(self, progress, message):
        # in the scheduled action, start a fresh transaction first: the solver's progress
        # callback updates this row from its own short transactions meanwhile
        self._commit()
        self.sudo().write({"progress": progress, "progress_message": message})
        self._commit()

    def _is_cancelled(self):
        self.env.cr.execute("SELECT state FROM med_aps_run WHERE id = %s", [self.id])
        row = self.env.cr.fetchone()
        return not row or row[0] == "cancelled"

    def _process_locked(self):
        """Process the run; the caller holds the advisory lock."""
        self.ensure_one()
        from med_aps_engine import EngineError, ProblemError, SolveOptions, solve, validate

        if self.trigger == "repair" and not self._aps_repair_still_enabled():
            self._aps_end_repair_switched_off()
            return
        self.sudo().write(
            {
                "state": "running",
                "date_started": fields.Datetime.now(),
                "progress": 2.0,
                "progress_message": self.env._("Reading orders and work centers"),
                "failure_reason": False,
            }
        )
        self._commit()
        timings = {}
        try:
            start = time.monotonic()
            try:
                with self.env.cr.savepoint():
                    problem, scope = self._aps_problem_builder().build()
            except PlanningDataError as error:
                raise RunFailure(str(error)) from error
            timings["read_seconds"] = time.monotonic() - start
            self.sudo().plan_origin = scope.origin
            if not problem["jobs"]:
                if self.trigger == "repair":
                    # the plant's last open work was finished or cancelled: nothing to repair
                    self._aps_mark_nothing_to_plan(timings)
                    return
                raise RunFailure(
                    self.env._("There is no pending work order to plan in the selected scope.")
                )
            self._set_progress(
                20.0,
                self.env._(
                    "Solving %(ops)s work orders of %(jobs)s orders",
                    ops=scope.operation_count,
                    jobs=len(problem["jobs"]),
                ),
            )
            options = SolveOptions(
                time_limit=float(self.time_limit),
                workers=int(self.workers),
                progress=self._make_progress_callback(),
                should_stop=self._make_stop_callback(),
                neighbourhood=self._aps_repair_neighbourhood(),
            )
            start = time.monotonic()
            try:
                plan = solve(problem, options=options)
            except ProblemError as error:
                raise RunFailure(
                    self.env._("The planning data is invalid: %s", scope.translate_ids(str(error)))
                ) from error
            except EngineError as error:
                raise RunFailure(
                    self.env._(
                        "The planning engine failed; nothing was written: %s",
                        scope.translate_ids(str(error)),
                    )
                ) from error
            timings["solve_seconds"] = time.monotonic() - start
            status = plan.get("status")
            if status not in GOOD_STATUSES or not plan.get("operations"):
                raise RunFailure(
                    self._explain_status(
                        status,
                        timings["solve_seconds"],
                        reason=scope.translate_ids(plan.get("message")),
                        horizon_days=scope.horizon / 1440,
                    ),
                )
            violations = validate(problem, plan)
            if violations:
                raise RunFailure(
                    self.env._(
                        "The solver returned a plan that breaks %(count)s rule(s); nothing was "
                        "written. First: %(first)s",
                        count=len(violations),
                        first=scope.translate_ids(violations[0]),
                    )
                )
            self._set_progress(80.0, self.env._("Writing the plan"))
            if self._is_cancelled():
                return
            start = time.monotonic()
            with self.env.cr.savepoint():
                result = self._aps_save_plan(scope, problem, plan)
                timings["write_seconds"] = time.monotonic() - start
                self._write_results(plan, result, timings)
                self._aps_peg_material(scope, plan)
            self._commit()
        except RunFailure as error:
            self._mark_failed(str(error), timings)
        except (UserError, ValidationError, AccessError) as error:
            self._mark_failed(str(error), timings)
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected):
            # an operator's click on the same rows: the write's savepoint dropped the plan
            if self._can_commit():
                self.env.cr.rollback()
            self._aps_mark_write_conflict(timings)
        except Exception as error:  # noqa: BLE001 - any crash must end as a failed run
            if self._can_commit():
                # the scheduled action owns its transaction: drop what was not committed
                self.env.cr.rollback()
            _logger.exception("Plan run #%s failed", self.id)
            self._mark_failed(self.env._("Unexpected error: %(error)s", error=repr(error)), timings)

    def _aps_mark_write_conflict(self, timings):
        """Fail a run whose write met the shop floor's. A repair processed by the scheduled
        action is queued again at once (``med.aps.plan.repair._aps_repair_again``); other
        runs are the planner's, and a repair run for a replan that waits for it is answered
        by that replan."""
        self._mark_failed(
            self.env._(
                "Orders changed on the shop floor while the plan was being written; nothing "
                "was written. The next event or a replan plans again."
            ),
            timings,
        )
        if self.state != "failed" or self.env.context.get("aps_replan_follows"):
            return
        try:
            # a slot taking the same events meanwhile: they are its
            with self.env.cr.savepoint():
                again = self.env["med.aps.plan.repair"]._aps_repair_again(self)
                if again:
                    self.sudo().failure_reason = self.env._(
                        "Orders changed on the shop floor while the plan was being written; "
                        "nothing was written. A new repair plans again at once."
                    )
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected):
            return
        self._commit()

    def _aps_peg_material(self, scope, plan):
        """Peg the components of the written plan and measure its holding cost."""
        self.env["med.aps.peg"]._aps_compute_for_run(self, scope.origin)

    def _aps_problem_builder(self):
        """The builder that reads this run's problem (a simulation's applies its scenario)."""
        return ProblemBuilder(self)

    def _aps_save_plan(self, scope, problem, plan):
        """Keep a validated plan: write it into the work orders (``PlanWriter``); returns the
        writer's results. A simulation keeps it on the run instead."""
        return PlanWriter(self, scope, problem, plan).write_plan()

    def _explain_status(self, status, seconds, reason=None, horizon_days=None):
        """The failure reason of a run without a plan; ``reason``: the engine's, if it gave
        one (e.g. an operation with no room in its calendar within the horizon of
        ``horizon_days``)."""
        if reason and status not in ("INFEASIBLE", "MODEL_INVALID"):
            return self.env._(
                "No plan was found (solver status %(status)s, %(seconds).1f s used): "
                "%(reason)s. The plan must fit in the planning horizon of %(days)s days "
                "(system parameter med_aps.horizon_days) and the work centers' working time.",
                status=status or "UNKNOWN",
                seconds=seconds,
                reason=reason,
                days="%g" % round(horizon_days or 0, 1),
            )
        if status == "INFEASIBLE":
            return self.env._(
                "No plan satisfies all constraints (solver status INFEASIBLE): check locked "
                "work orders, the frozen window, maximum waits and the planning horizon."
            )
        if status == "MODEL_INVALID":
            return self.env._("The planning model is invalid (solver status MODEL_INVALID).")
        return self.env._(
            "No plan was found within the time limit of %(limit)s s (solver status %(status)s, "
            "%(seconds).1f s used). Increase the time limit or reduce the scope.",
            limit=self.time_limit,
            status=status or "UNKNOWN",
            seconds=seconds,
        )

    def _make_progress_callback(self):
        """Report solver progress on the run through a separate short transaction."""
        if not self._can_commit():
            return None
        registry = self.env.registry
        run_id = self.id
        state = {"last": 0.0}
        lock = threading.Lock()

        def callback(fraction, message):
            now = time.monotonic()
            with lock:
                if now - state["last"] < 2.0:
                    return
                state["last"] = now
            try:
                with registry.cursor() as cr:
                    cr.execute(
                        "UPDATE med_aps_run SET progress = %s, progress_message = %s "
                        "WHERE id = %s AND state = 'running'",
                        [20.0 + 60.0 * max(0.0, min(1.0, fraction)), message or "", run_id],
                    )
                    if cr.rowcount:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        env["med.aps.run"].browse(run_id)._notify_run_update()
            except Exception:  # noqa: BLE001 - progress is best effort
                _logger.debug("Could not report progress of run %s", run_id, exc_info=True)

        return callback

    def _make_stop_callback(self):
        """Tell the engine to stop once the run is cancelled (a committed change of another
        transaction, read through a short separate one at most every second)."""
        if not self._can_commit():
            return None
        registry = self.env.registry
        run_id = self.id
        state = {"last": 0.0, "cancelled": False}

        def should_stop():
            now = time.monotonic()
            if state["cancelled"] or now - state["last"] < STOP_POLL_SECONDS:
                return state["cancelled"]
            state["last"] = now
            try:
                with registry.cursor() as cr:
                    cr.execute("SELECT state FROM med_aps_run WHERE id = %s", [run_id])
                    row = cr.fetchone()
            except Exception:  # noqa: BLE001 - keep solving if the check itself fails
                _logger.debug("Could not read the state of run %s", run_id, exc_info=True)
                return False
            state["cancelled"] = not row or row[0] == "cancelled"
            return state["cancelled"]

        return should_stop

    def _aps_repair_still_enabled(self):
        """Whether the company repairs its plan on events now (switched off since the repair
        was queued: it does not plan)."""
        self.company_id.invalidate_recordset(["aps_repair_enabled"])
        return self.company_id.aps_repair_enabled

    def _aps_end_repair_switched_off(self):
        """End a repair queued before its company switched plan repair off: nothing planned,
        its events ignored as those recorded while it is off."""
        _logger.info("Plan repair %s not run: plan repair is off for its company", self.name)
        self.repair_event_ids.sudo().write({"ignored": True})
        self.sudo().write(
            {
                "state": "cancelled",
                "progress": 100.0,
                "progress_message": self.env._("Not run: plan repair is off"),
                "failure_reason": self.env._(
                    "Plan repair was switched off for %(company)s after this repair was "
                    "queued: it ended without planning. Its events are ignored; replan to "
                    "answer them.",
                    company=self.company_id.name,
                ),
                "date_finished": fields.Datetime.now(),
            }
        )
        self._commit()

    def _aps_mark_nothing_to_plan(self, timings):
        """End a run that found no pending work order: done, nothing written."""
        vals = {
            "state": "done",
            "progress": 100.0,
            "progress_message": self.env._("Done: no pending work order left to plan"),
            "date_finished": fields.Datetime.now(),
        }
        vals.update(timings)
        self.sudo().write(vals)
        self._commit()

    def _mark_failed(self, reason, timings):
        self.env.invalidate_all()
        if self._is_cancelled():
            return
        vals = {
            "state": "failed",
            "failure_reason": reason,
            "progress": 100.0,
            "progress_message": self.env._("Failed"),
            "date_finished": fields.Datetime.now(),
        }
        vals.update(timings)
        self.sudo().write(vals)
        self._commit()

    def _solver_status_value(self, status):
        known = dict(self._fields["solver_status"].selection)
        return status if status in known else "UNKNOWN"

    def _write_results(self, plan, result, timings):
        kpis = plan.get("kpis") or {}
        moves = plan.get("moves") or {}
        lines = [
            fields.Command.create(
                {
                    "workcenter_id": workcenter_id,
                    "busy_hours": busy / 60.0,
                    "available_hours": available / 60.0,
                    "utilization": 100.0 * busy / available if available else 0.0,
                }
            )
            for workcenter_id, busy, available in result["utilization"]
        ]
        self.sudo().workcenter_line_ids.unlink()
        vals = {
            "state": "done",
            "progress": 100.0,
            "progress_message": self.env._("Done"),
            "date_finished": fields.Datetime.now(),
            "solver_status": self._solver_status_value(plan.get("status")),
            "objective": plan.get("objective") or 0.0,
            "bound": plan.get("bound") or 0.0,
            "gap": plan.get("gap") or 0.0,
            "makespan_hours": (kpis.get("makespan") or 0) / 60.0,
            "weighted_tardiness": result["weighted_tardiness_hours"],
            "late_count": result["late_count"],
            "changeover_count": kpis.get("changeovers") or 0,
            "changeover_minutes": kpis.get("changeover_minutes") or 0,
            "moved_count": result["moved_count"],
            "moved_forced_count": len(moves.get("forced") or []),
            "moved_improving_count": len(moves.get("improving") or []),
            "moved_followed_count": len(moves.get("followed") or []),
            "moved_reasons": dict(moves.get("reasons") or {}),
            "skipped_count": len(result["skipped"]),
            "skipped_note": "\n".join(sorted(result["skipped"].values())) or False,
            "resource_warnings": "\n".join(result.get("warnings") or []) or False,
            "workorder_count": result["workorder_count"],
            "workcenter_line_ids": lines,
        }
        vals.update(timings)
        self.sudo().write(vals)
        self._aps_take_pending_events()
        # the plan just written, checked against the shop floor
        self.env["med.aps.plan.check"]._aps_check_soon(self.company_id)
