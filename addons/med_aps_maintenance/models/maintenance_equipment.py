from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain

# a calibration due within this many days is shown as due soon
CALIBRATION_DUE_SOON_DAYS = 30

CALIBRATION_STATUSES = [
    ("not_required", "Not Required"),
    ("valid", "Valid"),
    ("due_soon", "Due Soon"),
    ("expired", "Expired"),
]

# the calibration record: only equipment managers change it (a controlled record of the
# quality system, ISO 13485 §7.6)
CALIBRATION_FIELDS = frozenset(
    {
        "aps_calibration_required",
        "aps_calibration_date",
        "aps_calibration_interval",
        "aps_calibration_due_date",
    }
)


def calibration_status(required, due_date, day):
    """The calibration status of equipment on ``day`` (a date)."""
    if not required:
        return "not_required"
    if not due_date or due_date < day:
        return "expired"
    if due_date <= day + timedelta(days=CALIBRATION_DUE_SOON_DAYS):
        return "due_soon"
    return "valid"


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    workcenter_id = fields.Many2one(
        "mrp.workcenter",
        "Work Center",
        check_company=True,
        index="btree_not_null",
        help="The work center this equipment is (its machine): the machine's preventive "
        "maintenance, breakdowns and expired calibration take the work center out of "
        "capacity.",
    )
    aps_is_tooling = fields.Boolean(related="category_id.aps_is_tooling", string="Tooling")
    aps_fit_workcenter_ids = fields.Many2many(
        "mrp.workcenter",
        "maintenance_equipment_aps_fit_workcenter_rel",
        "equipment_id",
        "workcenter_id",
        "Fits Work Centers",
        check_company=True,
        help="The work centers this tool can be mounted on. Empty: it fits every work center "
        "of the operations that need it.",
    )
    aps_move_minutes = fields.Integer(
        "Unmount and Mount (min)",
        help="Minutes to unmount the tool from one work center and mount it on another: two "
        "uses on different work centers are at least this far apart.",
    )
    aps_max_cycles = fields.Integer(
        "Cycles Between Maintenances",
        help="The tool's life between two maintenances (shots of a mould); 0 is no limit. The "
        "scheduler plans a maintenance before the use that would exceed it.",
    )
    aps_cycles_used = fields.Integer(
        "Cycles Since Maintenance",
        readonly=True,
        copy=False,
        help="Cycles run since the last preventive maintenance: counted when a work order "
        "that used the tool is done, reset when a preventive maintenance request is done.",
    )
    aps_maintenance_minutes = fields.Integer(
        "Maintenance Duration (min)",
        help="How long the tool shop needs for the tool's maintenance at its cycle limit.",
    )
    aps_calibration_required = fields.Boolean(
        "Needs Calibration",
        tracking=True,
        help="Equipment that may be used only while its calibration is valid: after the due "
        "date the scheduler does not plan it.",
    )
    aps_calibration_date = fields.Date("Last Calibration", tracking=True)
    aps_calibration_interval = fields.Integer(
        "Calibration Interval (days)",
        tracking=True,
        help="Days from a calibration to the next one due.",
    )
    aps_calibration_due_date = fields.Date(
        "Calibration Due",
        compute="_compute_aps_calibration_due_date",
        store=True,
        readonly=False,
        tracking=True,
        help="The last day the calibration is valid: the last calibration plus the interval, "
        "or set by hand (a certificate with its own due date).",
    )
    aps_calibration_status = fields.Selection(
        CALIBRATION_STATUSES,
        "Calibration",
        compute="_compute_aps_calibration_status",
        search="_search_aps_calibration_status",
        help="Today's calibration status; due soon is within %s days." % CALIBRATION_DUE_SOON_DAYS,
    )

    @api.depends("aps_calibration_date", "aps_calibration_interval")
    def _compute_aps_calibration_due_date(self):
        for equipment in self:
            if equipment.aps_calibration_date and equipment.aps_calibration_interval > 0:
                equipment.aps_calibration_due_date = equipment.aps_calibration_date + timedelta(
                    days=equipment.aps_calibration_interval
                )
            elif not equipment.aps_calibration_due_date:
                equipment.aps_calibration_due_date = False

    @api.depends("aps_calibration_required", "aps_calibration_due_date")
    @api.depends_context("date")
    def _compute_aps_calibration_status(self):
        today = fields.Date.context_today(self)
        for equipment in self:
            equipment.aps_calibration_status = equipment._aps_calibration_status_on(today)

    def _search_aps_calibration_status(self, operator, value):
        if operator not in ("in", "="):
            return NotImplemented
        values = {value} if operator == "=" else set(value)
        today = fields.Date.context_today(self)
        soon = today + timedelta(days=CALIBRATION_DUE_SOON_DAYS)
        required = [("aps_calibration_required", "=", True)]
        domains = {
            "not_required": [("aps_calibration_required", "=", False)],
            "expired": required
            + [
                "|",
                ("aps_calibration_due_date", "=", False),
                ("aps_calibration_due_date", "<", today),
            ],
            "due_soon": required
            + [("aps_calibration_due_date", ">=", today), ("aps_calibration_due_date", "<=", soon)],
            "valid": required + [("aps_calibration_due_date", ">", soon)],
        }
        return Domain.OR(Domain(domains[v]) for v in values if v in domains)

    @api.constrains("aps_move_minutes", "aps_max_cycles", "aps_maintenance_minutes")
    def _check_aps_tooling_minutes(self):
        for equipment in self:
            if (
                min(
                    equipment.aps_move_minutes,
                    equipment.aps_max_cycles,
                    equipment.aps_maintenance_minutes,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Equipment %s: mount minutes, cycles and maintenance minutes cannot be "
                        "negative.",
                        equipment.display_name,
                    )
                )

    @api.constrains("aps_calibration_interval")
    def _check_aps_calibration_interval(self):
        for equipment in self:
            if equipment.aps_calibration_interval < 0:
                raise ValidationError(
                    self.env._(
                        "Equipment %s: the calibration interval cannot be negative.",
                        equipment.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any(CALIBRATION_FIELDS.intersection(vals) for vals in vals_list):
            self._aps_check_calibration_rights()
        return super().create(vals_list)

    def write(self, vals):
        if CALIBRATION_FIELDS.intersection(vals):
            self._aps_check_calibration_rights()
        return super().write(vals)

    # ------------------------------------------------------------------ business
    def _aps_check_calibration_rights(self):
        """The calibration record is changed by equipment managers only, whatever access to
        the equipment another module grants."""
        if self.env.su or self.env.user.has_group("maintenance.group_equipment_manager"):
            return
        raise AccessError(
            self.env._(
                "Only equipment managers can change the calibration of %s.",
                ", ".join(self.mapped("display_name")) or self.env._("equipment"),
            )
        )

    def _aps_calibration_status_on(self, day):
        """The calibration status on ``day`` (a date): at planning time, at the time of use."""
        self.ensure_one()
        return calibration_status(self.aps_calibration_required, self.aps_calibration_due_date, day)

    def _aps_calibration_end(self):
        """The first moment (naive UTC) the equipment may no longer be used because of its
        calibration, None when it does not need one. Valid through its due date."""
        self.ensure_one()
        if not self.aps_calibration_required:
            return None
        if not self.aps_calibration_due_date:
            return datetime.min
        return datetime.combine(self.aps_calibration_due_date + timedelta(days=1), time.min)

    def _aps_unavailable_windows(self, start, stop, now=None):
        """When each equipment cannot work between two naive UTC datetimes:
        ``{equipment id: [(begin, end), ...]}`` (overlaps allowed), from its open maintenance
        requests (a preventive one over its scheduled period, a breakdown from now until its
        scheduled end, or all along when it has none) and from its calibration due date."""
        now = now or fields.Datetime.now()
        windows = defaultdict(list)
        if not self:
            return windows
        requests = (
            self.env["maintenance.request"]
            .sudo()
            .search(
                [
                    ("equipment_id", "in", self.ids),
                    ("stage_id.done", "=", False),
                    ("archive", "=", False),
                ]
            )
        )
        for request in requests:
            begin, end = request._aps_unavailable_window(now, stop)
            if begin and end and begin < stop and end > start and end > begin:
                windows[request.equipment_id.id].append((max(begin, start), min(end, stop)))
        for equipment in self:
            calibration_end = equipment._aps_calibration_end()
            if calibration_end is not None and calibration_end < stop:
                windows[equipment.id].append((max(start, calibration_end), stop))
        return windows

    def _aps_tool_calendar(self, builder, windows):
        """The tool's available [start, end) minutes over the run's horizon, outside its
        unavailable ``windows`` (naive UTC, from ``_aps_unavailable_windows``)."""
        self.ensure_one()
        horizon = builder.scope.horizon
        blocked = sorted(
            (max(0, builder.to_minutes(begin)), min(horizon, builder.to_minutes(end, "ceil")))
            for begin, end in windows
        )
        calendar, cursor = [], 0
        for begin, end in blocked:
            if begin > cursor:
                calendar.append([cursor, begin])
            cursor = max(cursor, end)
        if cursor < horizon:
            calendar.append([cursor, horizon])
        return calendar

    def _aps_secondary_vals(self, calendar):
        """The engine's secondary resource of this tool (``docs/engine-schema.md``)."""
        self.ensure_one()
        vals = {
            "id": "EQ/%d" % self.id,
            "name": self.name,
            "count": 1,
            "unit_names": [self.name],
            "calendar": calendar,
            "move_minutes": self.aps_move_minutes,
        }
        if self.aps_max_cycles:
            vals.update(
                max_cycles=self.aps_max_cycles,
                maintenance_minutes=self.aps_maintenance_minutes,
                cycles_used=[min(self.aps_cycles_used, self.aps_max_cycles)],
            )
        return vals

    def _aps_calibration_expired_message(self, count):
        self.ensure_one()
        if not self.aps_calibration_due_date:
            return self.env._(
                "%(name)s has no calibration due date: %(count)s work orders cannot use it.",
                name=self.name,
                count=count,
            )
        return self.env._(
            "%(name)s calibration expired %(date)s: %(count)s work orders cannot use it.",
            name=self.name,
            date=self.aps_calibration_due_date.isoformat(),
            count=count,
        )

    def _aps_unusable_reason(self, builder, workcenters):
        """Why the run cannot give this tool to a work order on ``workcenters``."""
        self.ensure_one()
        if not self.active:
            return self.env._("%s is archived", self.name)
        if self._aps_calibration_status_on(builder.origin.date()) == "expired":
            return self.env._(
                "%(name)s calibration expired %(date)s",
                name=self.name,
                date=self.aps_calibration_due_date or "-",
            )
        if self.aps_fit_workcenter_ids and not (self.aps_fit_workcenter_ids & workcenters):
            return self.env._(
                "%(name)s fits only %(wcs)s",
                name=self.name,
                wcs=", ".join(self.aps_fit_workcenter_ids.mapped("name")),
            )
        return self.env._("%s is under maintenance over the whole horizon", self.name)
