from odoo import api, fields, models
from odoo.tools.sql import create_index


class MrpWorkorder(models.Model):
    _name = "mrp.workorder"
    _inherit = ["mrp.workorder", "med.aps.lockable.mixin", "med.aps.plan.result.mixin"]
    _aps_plan_result_fields = frozenset(
        {
            "aps_changeover_minutes",
            "aps_setup_minutes",
            "aps_batch_ref",
            "aps_unit",
            "aps_run_id",
            "aps_planned_start",
            "aps_planned_end",
        }
    )

    aps_locked = fields.Boolean(
        "Locked in Plan",
        copy=False,
        help="A locked work order keeps its work center and dates when the plan is recomputed.",
    )
    aps_changeover_minutes = fields.Integer("Changeover (min)", copy=False, readonly=True)
    aps_setup_minutes = fields.Integer("Setup (min)", copy=False, readonly=True)
    aps_batch_ref = fields.Char("Batch", copy=False, readonly=True)
    aps_unit = fields.Integer(
        "Parallel Unit",
        copy=False,
        readonly=True,
        help="Which of the work center's parallel units runs this work order in the plan "
        "(1 is the first); 0 when med_aps has not planned it.",
    )
    aps_setup_family_id = fields.Many2one(
        "med.aps.setup.family",
        "Setup Family",
        compute="_compute_aps_setup_family_id",
        store=True,
    )
    aps_run_id = fields.Many2one("med.aps.run", "Plan Run", copy=False, readonly=True, index=True)
    aps_plan_issue_note = fields.Text(
        "Plan Problems",
        compute="_compute_aps_plan_issue_note",
        help="What the latest plan check found for this work order (running past its planned "
        "end, start passed, an overlap, a blocked work center) or for its order (material, "
        "deadline).",
    )
    aps_planned_start = fields.Datetime(
        "Planned Start (as Started)",
        copy=False,
        readonly=True,
        help="The start the plan gave this work order when it was started: Odoo then replaces "
        "the planned dates with the actual ones. Schedule adherence compares the two.",
    )
    aps_planned_end = fields.Datetime("Planned End (as Started)", copy=False, readonly=True)
    aps_resource_ids = fields.One2many(
        "med.aps.workorder.resource",
        "workorder_id",
        "Planned Tools and Operators",
        readonly=True,
        help="The tools, moulds and operators the plan gives this work order, each unit named, "
        "with the time it holds them.",
    )

    def init(self):
        res = super().init()
        # Plan vs Execution gives a setup logged on a work center alone to the next work
        # order started there, unless one finished in between: both looked up per log
        create_index(
            self.env.cr,
            "mrp_workorder_aps_workcenter_start_index",
            self._table,
            ["workcenter_id", "date_start", "id"],
            where="state IN ('progress', 'done')",
        )
        create_index(
            self.env.cr,
            "mrp_workorder_aps_workcenter_finished_index",
            self._table,
            ["workcenter_id", "date_finished"],
            where="state = 'done'",
        )
        return res

    @api.depends(
        "operation_id.aps_setup_family_id", "product_id.product_tmpl_id.aps_setup_family_id"
    )
    def _compute_aps_setup_family_id(self):
        for workorder in self:
            workorder.aps_setup_family_id = (
                workorder.operation_id.aps_setup_family_id
                or workorder.product_id.product_tmpl_id.aps_setup_family_id
            )

    def _compute_aps_plan_issue_note(self):
        """The latest plan check's problems of the work orders and of their orders."""
        issues = (
            self.env["med.aps.plan.issue"]
            .sudo()
            .search(
                [
                    "|",
                    "|",
                    ("workorder_id", "in", self.ids),
                    ("other_workorder_id", "in", self.ids),
                    "&",
                    ("workorder_id", "=", False),
                    ("production_id", "in", self.production_id.ids),
                ]
            )
        )
        for workorder in self:
            workorder.aps_plan_issue_note = "\n".join(
                issue.message
                for issue in issues
                if workorder in (issue.workorder_id | issue.other_workorder_id)
                or (not issue.workorder_id and issue.production_id == workorder.production_id)
            )

    def _aps_keep_planned_dates(self):
        """Keep the planned dates of the work orders about to start or finish (Odoo overwrites
        them with the actual ones), once: the plan in force when the work began."""
        to_keep = self.filtered(
            lambda wo: (
                wo.aps_run_id
                and not wo.aps_planned_start
                and wo.date_start
                and wo.state not in ("progress", "done", "cancel")
            )
        )
        for workorder in to_keep.sudo():
            workorder.write(
                {
                    "aps_planned_start": workorder.date_start,
                    "aps_planned_end": workorder.date_finished,
                }
            )

    def button_start(self, raise_on_invalid_state=False):
        self._aps_keep_planned_dates()
        not_running = self.filtered(lambda wo: wo.state != "progress")
        # paused: in progress with no open time log (Odoo's pause closes the logs only)
        paused = (self - not_running).filtered(
            lambda wo: not wo.time_ids.filtered(lambda log: not log.date_end)
        )
        result = super().button_start(raise_on_invalid_state=raise_on_invalid_state)
        not_running.filtered(lambda wo: wo.state == "progress")._aps_record_event(
            "workorder_started"
        )
        paused.filtered(
            lambda wo: wo.state == "progress" and wo.time_ids.filtered(lambda log: not log.date_end)
        )._aps_record_event("workorder_resumed")
        return result

    def write(self, vals):
        # a quantity reported on a running work order (not its finish, an event of its own)
        reported = (
            self.filtered(lambda wo: wo.state not in ("done", "cancel"))
            if "qty_produced" in vals and vals.get("state") != "done"
            else self.browse()
        )
        before = {wo.id: wo.qty_produced for wo in reported}
        result = super().write(vals)
        for workorder in reported:
            rounding = workorder.product_uom_id
            if rounding.compare(workorder.qty_produced, before[workorder.id]) == 0:
                continue
            workorder._aps_record_event(
                "workorder_produced",
                before="%g" % before[workorder.id],
                after="%g %s" % (workorder.qty_produced, workorder.product_uom_id.name),
            )
        return result

    def button_pending(self):
        # a pause closes the user's open time log (Odoo's ``end_previous``): a work order
        # paused already, or timed by someone else only, is not paused by this press
        open_logs = self.time_ids.filtered(
            lambda log: not log.date_end and log.user_id == self.env.user
        )
        result = super().button_pending()
        open_logs.filtered("date_end").workorder_id._aps_record_event("workorder_paused")
        return result

    def button_finish(self):
        self._aps_keep_planned_dates()
        open_workorders = self.filtered(lambda wo: wo.state not in ("done", "cancel"))
        result = super().button_finish()
        for workorder in open_workorders.filtered(lambda wo: wo.state == "done"):
            # hours over (positive) or under the expected duration: what a repair answers.
            # Without any time logged, Odoo records the expected duration (Mark as Done, an
            # order marked done) once this returns
            duration = workorder.duration or workorder.duration_expected
            over = (duration - workorder.duration_expected) / 60.0
            workorder._aps_record_event("workorder_finished", hours=over)
        return result

    def _aps_record_event(self, kind, **values):
        for workorder in self:
            self.env["med.aps.plan.event"]._aps_record(
                kind,
                workorder.production_id.company_id,
                workorder_id=workorder.id,
                production_id=workorder.production_id.id,
                workcenter_id=workorder.workcenter_id.id,
                **values,
            )

    def _aps_operation_vals(self, operation):
        """The engine operation of this work order, as the builder made it from the
        routing, candidate work centers, durations, locks, work in progress, material and
        predecessors (``docs/engine-schema.md``). Extend with ``super()`` to add data (e.g.
        under ``"extensions"``, which the engine carries without reading)."""
        self.ensure_one()
        return operation

    def _aps_mode_requires(self, workcenter, builder):
        """What this work order needs beside ``workcenter`` when it runs there: the engine's
        ``requires`` of that mode (tools, moulds, operators: ``{"any_of": [keys], "count": n,
        "during": "occupation" | "setup", "cycles": k}``, keys of the run's
        ``_aps_secondary_sources``); ``None`` when it cannot run there at all (a tool it needs
        does not fit that work center). Nothing by default; extend with ``super()`` and keep
        a ``None`` from it."""
        self.ensure_one()
        return []

    def _aps_after_plan_write(self, run):
        """Called once per plan run, after the plan is written and flushed, on the work
        orders the run moved (another work center or start). Override to react (e.g. notify,
        update a secondary resource); the work orders already hold their new dates,
        ``workcenter_id``, ``aps_unit``, ``aps_batch_ref`` and reservation. Does nothing by
        default."""
        return True
