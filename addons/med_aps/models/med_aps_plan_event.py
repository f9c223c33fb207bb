import math

from odoo import api, fields, models
from odoo.tools import format_datetime

# hours of overrun between two events of one running work order (system parameter)
OVERRUN_STEP_PARAM = "med_aps.overrun_step_hours"
DEFAULT_OVERRUN_STEP_HOURS = 1.0

EVENT_KINDS = [
    ("workorder_started", "Work order started"),
    ("workorder_paused", "Work order paused"),
    ("workorder_resumed", "Work order resumed"),
    ("workorder_overrun", "Work order runs past its planned end"),
    ("workorder_finished", "Work order finished"),
    ("workorder_produced", "Quantity produced"),
    ("production_scrapped", "Quantity scrapped"),
    ("production_confirmed", "Manufacturing order confirmed"),
    ("production_quantity", "Quantity changed"),
    ("production_cancelled", "Manufacturing order cancelled"),
    ("workcenter_blocked", "Work center blocked"),
    ("workcenter_unblocked", "Work center unblocked"),
    ("receipt_rescheduled", "Receipt rescheduled"),
    ("receipt_done", "Receipt received"),
    ("lot_blocked", "Lot held or rejected"),
    ("lot_released", "Lot released"),
]


class MedApsPlanEvent(models.Model):
    """Something that happened on the shop floor or in stock after the plan was made.

    Recorded from Odoo's own buttons and records (work-order start, pause and finish with
    their time logs, order confirmation, quantity change and cancellation, work-center
    blocking, receipts rescheduled or received; lots held, rejected or released through the
    quality bridge): nothing is entered twice. Pending events are what a plan repair answers;
    the repair marks them handled."""

    _name = "med.aps.plan.event"
    _description = "Plan Event"
    _order = "date desc, id desc"
    _rec_name = "kind"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    kind = fields.Selection(EVENT_KINDS, required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("handled", "Handled"), ("ignored", "Ignored")],
        compute="_compute_state",
        store=True,
        index=True,
        help="Pending events wait for the next plan repair (or for the one under way); those "
        "of a repair that failed wait, with its failure reason, for the next event's repair, "
        "a retry of the run or a replan; handled ones were answered by a finished repair or "
        "replan; ignored ones came while plan repair was off for the company or while "
        "modules were being installed.",
    )
    ignored = fields.Boolean(readonly=True)
    user_id = fields.Many2one("res.users", "By", readonly=True, default=lambda self: self.env.user)
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", readonly=True, index="btree_not_null"
    )
    workorder_id = fields.Many2one("mrp.workorder", "Work Order", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", readonly=True)
    picking_id = fields.Many2one("stock.picking", "Transfer", readonly=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", readonly=True)
    hours = fields.Float(readonly=True, digits=(16, 1))
    date_planned_end = fields.Datetime(
        "Planned End",
        readonly=True,
        help="Work order overruns: the planned end it ran past (one event per work order, "
        "planned end and overrun step).",
    )
    before = fields.Char(readonly=True)
    after = fields.Char(readonly=True)
    # a date that changed is kept as a date: worded when read, in the reader's language and
    # time zone (a planner abroad reads the receipt's dates in his own)
    date_before = fields.Datetime(readonly=True)
    date_after = fields.Datetime(readonly=True)
    repair_run_id = fields.Many2one("med.aps.run", "Handled By", readonly=True)
    repair_failure_reason = fields.Text(
        "Why the Repair Failed", related="repair_run_id.failure_reason"
    )
    message = fields.Char("Event", compute="_compute_message")

    @api.depends("ignored", "repair_run_id.state")
    def _compute_state(self):
        for event in self:
            if event.ignored:
                event.state = "ignored"
            elif event.repair_run_id.state == "done":
                event.state = "handled"
            else:
                event.state = "pending"

    @api.depends(
        "kind",
        "hours",
        "before",
        "after",
        "date_before",
        "date_after",
        "workorder_id",
        "production_id",
    )
    # worded for the reader: his language, his time zone
    @api.depends_context("lang", "uid")
    def _compute_message(self):
        for event in self:
            event.message = event._aps_describe()

    def _aps_describe(self):
        """The event in a planner's words (the reason a repair gives for its moves)."""
        self.ensure_one()
        env = self.env
        workorder = self.workorder_id.display_name or ""
        values = {
            "wo": workorder,
            "mo": self.production_id.name or "",
            "wc": self.workcenter_id.name or "",
            "picking": self.picking_id.name or "",
            "lot": self.lot_id.display_name or "",
            "hours": "%.1f" % abs(self.hours),
            "before": self._aps_format_date(self.date_before) or self.before or "",
            "after": self._aps_format_date(self.date_after) or self.after or "",
        }
        if self.kind == "workorder_finished" and self.hours > 0:
            return env._("%(wo)s ran %(hours)s h over", **values)
        if self.kind == "workorder_finished" and self.hours < 0:
            return env._("%(wo)s finished %(hours)s h early", **values)
        texts = {
            "workorder_started": env._("%(wo)s started on %(wc)s", **values),
            "workorder_paused": env._("%(wo)s paused on %(wc)s", **values),
            "workorder_resumed": env._("%(wo)s resumed on %(wc)s", **values),
            "workorder_overrun": env._("%(wo)s runs past its planned end by %(hours)s h", **values),
            "workorder_finished": env._("%(wo)s finished", **values),
            "workorder_produced": env._("%(wo)s: %(after)s produced (was %(before)s)", **values),
            "production_scrapped": env._("%(mo)s: %(after)s scrapped", **values),
            "production_confirmed": env._("%(mo)s confirmed", **values),
            "production_quantity": env._("%(mo)s: quantity %(before)s → %(after)s", **values),
            "production_cancelled": env._("%(mo)s cancelled", **values),
            "workcenter_blocked": env._("%(wc)s blocked", **values),
            "workcenter_unblocked": env._("%(wc)s unblocked", **values),
            "receipt_rescheduled": env._(
                "Receipt %(picking)s moved from %(before)s to %(after)s", **values
            ),
            "receipt_done": env._("Receipt %(picking)s received", **values),
            "lot_blocked": env._("Lot %(lot)s held or rejected", **values),
            "lot_released": env._("Lot %(lot)s released", **values),
        }
        return texts.get(self.kind, "")

    @api.model
    def _aps_record(self, kind, company, **values):
        """Record one event of ``company`` by the current user; a repair follows after the
        company's delay (one repair for the events of that delay)."""
        # while modules install (demo data, an import) there is no plan to repair yet: the
        # first plan run plans what they created
        ignored = not company.aps_repair_enabled or not self.pool.ready
        event = self.sudo().create(
            {"kind": kind, "company_id": company.id, "ignored": ignored, **values}
        )
        if not ignored:
            self.env["med.aps.plan.repair"]._aps_schedule(company)
        self.env["med.aps.plan.check"]._aps_check_soon(company)
        return event

    @api.model
    def _aps_overrun_step_hours(self):
        """Hours of overrun between two events of one running work order (system parameter
        ``med_aps.overrun_step_hours``, 1 by default)."""
        value = self.env["ir.config_parameter"].sudo().get_param(OVERRUN_STEP_PARAM)
        try:
            step = float(value) if value else DEFAULT_OVERRUN_STEP_HOURS
        except ValueError:
            step = DEFAULT_OVERRUN_STEP_HOURS
        return step if step > 0 else DEFAULT_OVERRUN_STEP_HOURS

    @api.model
    def _aps_record_overruns(self, company, overruns):
        """A work order in progress that runs past its planned end, no button pressed: one
        event per work order, planned end and whole overrun step (1 h by default: at 1 h,
        2 h, ... past the end), so that a repair is queued; a check that finds the same
        overrun again records nothing. Once a repair gave the work order a new end, its next
        overrun counts from there.

        ``overruns``: ``[{"workorder_id", "date", "hours"}]`` (the plan check's issues: the
        planned end and the hours past it). Returns the events recorded."""
        step = self._aps_overrun_step_hours()
        events = self.browse()
        for overrun in overruns:
            steps = math.floor(overrun["hours"] / step + 1e-9)
            if steps < 1:
                continue
            hours = steps * step
            known = self.sudo().search_count(
                [
                    ("kind", "=", "workorder_overrun"),
                    ("workorder_id", "=", overrun["workorder_id"]),
                    ("date_planned_end", "=", overrun["date"]),
                    ("hours", ">=", hours - 1e-6),
                ],
                limit=1,
            )
            if known:
                continue
            workorder = self.env["mrp.workorder"].sudo().browse(overrun["workorder_id"])
            events |= self._aps_record(
                "workorder_overrun",
                company,
                workorder_id=workorder.id,
                production_id=workorder.production_id.id,
                workcenter_id=workorder.workcenter_id.id,
                hours=hours,
                date_planned_end=overrun["date"],
            )
        return events

    def _aps_format_date(self, value):
        """``value`` in the reader's time zone; in the plant's when the reader has none (the
        repair's chatter notes, written by the scheduled action)."""
        if not value:
            return ""
        tz = self.env.user.tz or self.company_id[:1].resource_calendar_id.tz or False
        return format_datetime(self.env, value, tz=tz)
