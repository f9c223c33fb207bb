from collections import defaultdict
from datetime import timedelta

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


def _naive_utc(moment):
    """Naive UTC; an attendance ending at 24:00 ends at 23:59:59.999999: at midnight here."""
    if moment.microsecond == 999_999:
        moment += timedelta(microseconds=1)
    return moment.astimezone(utc).replace(tzinfo=None)


# the longest span the timeline asks working hours for
TIMELINE_MAX_DAYS = 366


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    aps_enabled = fields.Boolean(
        "Finite Capacity (APS)",
        default=True,
        help="Plan this work center with finite capacity. When disabled, operations on it are "
        "planned as if its capacity were unlimited (its calendar still applies).",
    )
    aps_parallel_capacity = fields.Integer(
        "Parallel Capacity",
        default=1,
        help="Number of identical units of this work center that can each run one operation "
        "at a time.",
    )
    aps_changeover_default_minutes = fields.Integer(
        "Default Changeover (min)",
        help="Changeover time between two operations of different setup families when no rule "
        "matches.",
    )
    aps_changeover_rule_ids = fields.One2many(
        "med.aps.changeover.rule", "workcenter_id", "Changeover Rules"
    )
    aps_batch_enabled = fields.Boolean(
        "Batch Cycles",
        help="Operations run in batch cycles (sterilizers, ovens): several orders share one "
        "cycle of fixed length.",
    )
    aps_batch_capacity_type = fields.Selection(
        [("mo", "Manufacturing Orders"), ("qty", "Quantity")],
        "Batch Capacity In",
        default="mo",
    )
    aps_batch_max_size = fields.Float("Batch Max Size", default=1.0)
    aps_batch_cycle_minutes = fields.Integer("Batch Cycle (min)")

    @api.constrains("aps_parallel_capacity")
    def _check_aps_parallel_capacity(self):
        for workcenter in self:
            if workcenter.aps_parallel_capacity < 1:
                raise ValidationError(
                    self.env._(
                        "Work center %(wc)s: the parallel capacity must be at least 1.",
                        wc=workcenter.display_name,
                    )
                )

    @api.constrains("aps_batch_enabled", "aps_batch_max_size", "aps_batch_cycle_minutes")
    def _check_aps_batch(self):
        for workcenter in self.filtered("aps_batch_enabled"):
            if workcenter.aps_batch_max_size <= 0 or workcenter.aps_batch_cycle_minutes <= 0:
                raise ValidationError(
                    self.env._(
                        "Work center %(wc)s: a batch work center needs a positive batch size "
                        "and cycle time.",
                        wc=workcenter.display_name,
                    )
                )

    @api.constrains("aps_changeover_default_minutes")
    def _check_aps_changeover_default(self):
        for workcenter in self:
            if workcenter.aps_changeover_default_minutes < 0:
                raise ValidationError(
                    self.env._(
                        "Work center %(wc)s: the default changeover cannot be negative.",
                        wc=workcenter.display_name,
                    )
                )

    def unblock(self):
        blocked = self.filtered(lambda wc: wc.working_state == "blocked")
        result = super().unblock()
        for workcenter in blocked:
            self.env["med.aps.plan.event"]._aps_record(
                "workcenter_unblocked",
                workcenter.company_id or self.env.company,
                workcenter_id=workcenter.id,
            )
        return result

    def _aps_blocked(self):
        """Those of these work centers blocked on the shop floor for planning: blocked in
        Odoo (the Block button, any loss that is not productive) by something else than a
        setup (Setup and Adjustments), which is the plan's own changeover under way."""
        blocked = self.filtered(lambda wc: wc.working_state == "blocked")
        if not blocked:
            return blocked
        setup = self.env.ref("mrp.block_reason2", raise_if_not_found=False)
        domain = [
            ("workcenter_id", "in", blocked.ids),
            ("date_end", "=", False),
            ("loss_type", "not in", ("productive", "performance")),
        ]
        if setup:
            domain.append(("loss_id", "!=", setup.id))
        return self.env["mrp.workcenter.productivity"].sudo().search(domain).workcenter_id

    def _aps_working_intervals(self, start, stop):
        """Working time of each work center between two naive UTC datetimes:
        ``{workcenter id: [(start, stop), ...]}`` in naive UTC, leaves deducted, one calendar
        expansion per calendar. A work center without a calendar works all the time."""
        result = {}
        by_calendar = defaultdict(self.browse)
        for workcenter in self:
            by_calendar[workcenter.resource_calendar_id] |= workcenter
        for calendar, workcenters in by_calendar.items():
            if not calendar:
                for workcenter in workcenters:
                    result[workcenter.id] = [(start, stop)]
                continue
            intervals = calendar._work_intervals_batch(
                utc.localize(start),
                utc.localize(stop),
                resources=workcenters.resource_id,
                tz=timezone(calendar.tz or "UTC"),
            )
            for workcenter in workcenters:
                result[workcenter.id] = [
                    (_naive_utc(begin), min(stop, _naive_utc(end)))
                    for begin, end, _meta in intervals.get(workcenter.resource_id.id, [])
                ]
        return result

    @api.model
    def aps_timeline_working_intervals(self, workcenter_ids, date_from, date_to):
        """Working intervals for the work order timeline (shading of closed time and breaks
        inside bars): ``{workcenter id: [[start, stop], ...]}`` as UTC strings."""
        start = fields.Datetime.to_datetime(date_from)
        stop = fields.Datetime.to_datetime(date_to)
        if not start or not stop or stop <= start:
            raise UserError(self.env._("The timeline asked working hours for an empty period."))
        stop = min(stop, start + timedelta(days=TIMELINE_MAX_DAYS))
        workcenters = self.search([("id", "in", list(workcenter_ids))])
        intervals = workcenters._aps_working_intervals(start, stop)
        return {
            str(workcenter_id): [
                [fields.Datetime.to_string(begin), fields.Datetime.to_string(end)]
                for begin, end in spans
            ]
            for workcenter_id, spans in intervals.items()
        }

    # ------------------------------------------------------------------ engine contract
    def _aps_resource_vals(self, calendar, unlimited_units):
        """The engine resource of this work center (``docs/engine-schema.md``).

        ``calendar``: its available [start, end) minutes from the plan origin (calendar minus
        leaves and bookings outside the run). ``unlimited_units``: the units to give it when
        finite capacity is off. Extend with ``super()`` to add data (e.g. under
        ``"extensions"``, which the engine carries without reading)."""
        self.ensure_one()
        resource = {
            "id": "WC/%d" % self.id,
            "name": self.name,
            # Odoo's expected durations already include the work center's time
            # efficiency (mrp's _get_duration_expected): scaling again would count it twice
            "efficiency": 100,
            "calendar": calendar,
        }
        if not self.aps_enabled:
            resource["capacity"] = unlimited_units
            return resource
        resource["capacity"] = self.aps_parallel_capacity
        rules = [
            {
                "from": "SF/%d" % rule.from_family_id.id,
                "to": "SF/%d" % rule.to_family_id.id,
                "minutes": rule.minutes,
            }
            for rule in self.aps_changeover_rule_ids
        ]
        if rules or self.aps_changeover_default_minutes:
            resource["changeover"] = {
                "default": self.aps_changeover_default_minutes,
                "rules": rules,
            }
        if self.aps_batch_enabled:
            resource["batch"] = {
                "max_size": self.aps_batch_max_size,
                "cycle_minutes": self.aps_batch_cycle_minutes,
            }
        return resource
