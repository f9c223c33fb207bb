from odoo import api, fields, models
from odoo.tools import format_datetime

ISSUE_KINDS = [
    ("overrun", "Running past its planned end"),
    ("not_started", "Planned start passed"),
    ("overlap", "Overlaps another work order"),
    ("blocked_workcenter", "Work center blocked"),
    ("material", "Material later than planned"),
    ("deadline", "Deadline missed"),
    ("rule", "Breaks a planning rule"),
]
# the planning rules a check reads from the engine's validator (``validate_details``): the
# others are execution facts the check's own finders report in their words (a passed start,
# an overlap, material, running work) or a plan's own statements
CHECKED_RULES = [
    ("calendar", "Outside working time"),
    ("duration", "Shorter than its work"),
    ("precedence", "Before what it waits for"),
    ("max_lag", "Waits too long"),
    ("changeover", "Changeover missing"),
    ("batch", "Batch rule"),
    ("secondary", "Tools or operators"),
    ("data", "Cannot be checked"),
]


class MedApsPlanIssue(models.Model):
    """One problem a plan check found between the stored plan and the shop floor.

    The facts are stored (kind, records, hours, dates); the sentence is worded when read, in
    the reader's language."""

    _name = "med.aps.plan.issue"
    _description = "Plan Health Issue"
    _order = "severity desc, production_id, workorder_id, id"
    _rec_name = "message"

    check_id = fields.Many2one(
        "med.aps.plan.check", "Plan Check", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="check_id.company_id", store=True, index=True)
    kind = fields.Selection(ISSUE_KINDS, required=True, readonly=True)
    severity = fields.Selection(
        [("1", "Warning"), ("2", "Problem")], required=True, default="2", readonly=True
    )
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", readonly=True, index=True, ondelete="cascade"
    )
    workorder_id = fields.Many2one(
        "mrp.workorder", "Work Order", readonly=True, index=True, ondelete="cascade"
    )
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", readonly=True)
    other_workorder_id = fields.Many2one(
        "mrp.workorder", "Other Work Order", readonly=True, ondelete="cascade"
    )
    hours = fields.Float(readonly=True, digits=(16, 1))
    date = fields.Datetime(readonly=True)
    date_expected = fields.Datetime(
        "Expected",
        readonly=True,
        help="When the components are expected (material), or when the plan finishes the "
        "order (deadline).",
    )
    ran_late = fields.Boolean(
        readonly=True,
        help="The overlap comes from a work order that ran past its planned end (still "
        "running, or finished late), not from the plan itself.",
    )
    minutes = fields.Integer(
        readonly=True,
        help="Working minutes the plan lacks (Shorter than its work, Outside working time) or "
        "the changeover needs (Changeover missing).",
    )
    rule = fields.Selection(
        CHECKED_RULES,
        readonly=True,
        help="The planning rule the plan breaks (issues of kind Breaks a planning rule).",
    )
    detail = fields.Char(
        "Rule Broken",
        readonly=True,
        help="The engine validator's own sentence, with the records' names: what the rule "
        "asks and what the plan has, in minutes from the check.",
    )
    other_finished_late = fields.Boolean(
        readonly=True,
        help="The overlap comes from the other work order, which finished after its planned "
        "end into this one's planned time.",
    )
    message = fields.Char("Problem", compute="_compute_message")

    @api.depends(
        "kind",
        "hours",
        "date",
        "date_expected",
        "ran_late",
        "other_finished_late",
        "workorder_id",
        "other_workorder_id",
        "production_id",
        "rule",
        "minutes",
        "detail",
        "check_id.date",
    )
    def _compute_message(self):
        for issue in self:
            issue.message = issue._aps_describe()

    def _aps_describe(self):
        """The issue in a planner's words."""
        self.ensure_one()
        env = self.env
        workorder = self.workorder_id.display_name or ""
        production = self.production_id.name or ""
        workcenter = self.workcenter_id.name or ""
        hours = "%.1f" % self.hours
        date = format_datetime(env, self.date) if self.date else ""
        expected = format_datetime(env, self.date_expected) if self.date_expected else ""
        if self.kind == "overrun":
            return env._(
                "%(wo)s on %(wc)s runs %(hours)s h past its planned end.",
                wo=workorder,
                wc=workcenter,
                hours=hours,
            )
        if self.kind == "not_started":
            return env._(
                "%(wo)s should have started on %(wc)s %(hours)s h ago.",
                wo=workorder,
                wc=workcenter,
                hours=hours,
            )
        if self.kind == "overlap" and self.other_finished_late:
            return env._(
                "%(other)s finished late on %(wc)s and overlaps %(wo)s by %(hours)s h.",
                wo=workorder,
                other=self.other_workorder_id.display_name or "",
                wc=workcenter,
                hours=hours,
            )
        if self.kind == "overlap" and self.ran_late:
            return env._(
                "%(wo)s ran late on %(wc)s and overlaps %(other)s by %(hours)s h.",
                wo=workorder,
                other=self.other_workorder_id.display_name or "",
                wc=workcenter,
                hours=hours,
            )
        if self.kind == "overlap":
            return env._(
                "%(wo)s overlaps %(other)s on %(wc)s by %(hours)s h.",
                wo=workorder,
                other=self.other_workorder_id.display_name or "",
                wc=workcenter,
                hours=hours,
            )
        if self.kind == "blocked_workcenter":
            return env._(
                "%(wo)s is planned on %(wc)s, which is blocked.", wo=workorder, wc=workcenter
            )
        if self.kind == "material" and self.date_expected:
            return env._(
                "Material for %(mo)s is expected on %(expected)s, after its planned start "
                "%(start)s.",
                mo=production,
                expected=expected,
                start=date,
            )
        if self.kind == "material":
            return env._(
                "Material for %(mo)s is not available for its planned start %(start)s.",
                mo=production,
                start=date,
            )
        if self.kind == "rule":
            return self._aps_describe_rule(workorder, workcenter, date, expected)
        if self.kind == "deadline" and self.date < self.check_id.date:
            return env._(
                "%(mo)s passed its deadline %(deadline)s and is not finished.",
                mo=production,
                deadline=date,
            )
        if self.kind == "deadline":
            Production = env["mrp.production"]
            late = Production._aps_hours_late(self.date_expected, self.date)
            return env._(
                "%(mo)s is planned to finish on %(finish)s, %(late)s after its deadline "
                "%(deadline)s.",
                mo=production,
                finish=expected,
                late=Production._aps_format_duration(late),
                deadline=date,
            )
        return ""

    def _aps_describe_rule(self, workorder, workcenter, date, expected):
        """A broken planning rule in a planner's words (the validator's sentence is the
        issue's ``detail``). ``expected`` is the planned end, the first start allowed
        (precedence) or the last (max_lag)."""
        env = self.env
        minutes = self.env["mrp.production"]._aps_format_duration(self.minutes / 60.0)
        values = {
            "wo": workorder,
            "wc": workcenter,
            "other": self.other_workorder_id.display_name or "",
            "start": date,
            "end": expected,
            "minutes": minutes,
        }
        if self.rule == "calendar" and self.minutes > 0:
            return env._(
                "%(wo)s is planned on %(wc)s from %(start)s to %(end)s, partly outside its "
                "working time: it has %(minutes)s less working time than its work needs.",
                **values,
            )
        if self.rule == "calendar":
            return env._(
                "%(wo)s is planned on %(wc)s from %(start)s to %(end)s, partly outside its "
                "working time.",
                **values,
            )
        if self.rule == "duration":
            return env._(
                "%(wo)s on %(wc)s has %(minutes)s less working time in its plan than its work "
                "needs now.",
                **values,
            )
        if self.rule == "precedence" and self.other_workorder_id:
            return env._(
                "%(wo)s is planned to start on %(start)s, before %(other)s, which it waits "
                "for, allows it (%(end)s).",
                **values,
            )
        if self.rule == "precedence":
            return env._(
                "%(wo)s is planned to start on %(start)s, before the order it waits for "
                "releases its product (%(end)s).",
                **values,
            )
        if self.rule == "max_lag":
            return env._(
                "%(wo)s is planned to start on %(start)s, after %(end)s, the latest its "
                "operation may wait after %(other)s.",
                **values,
            )
        if self.rule == "changeover":
            return env._(
                "%(wo)s follows %(other)s on %(wc)s without the %(minutes)s changeover it needs.",
                **values,
            )
        if self.rule == "batch":
            return env._(
                "%(wo)s is in a batch on %(wc)s that breaks its batch rules (family, cycle or "
                "size).",
                **values,
            )
        if self.rule == "secondary":
            return env._(
                "The tools or operators planned for %(wo)s on %(wc)s no longer fit.", **values
            )
        if self.workorder_id:
            return env._(
                "The plan of %(wo)s could not be checked against the planning rules.", **values
            )
        return env._("The plan could not be checked against the planning rules.")

    @api.model
    def action_check_now(self):
        """The list's *Check Now* button."""
        return self.env["med.aps.plan.check"].action_check_now()
