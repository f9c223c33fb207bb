from collections import defaultdict
from datetime import datetime, time, timedelta

from pytz import timezone, utc

from odoo import models


def _naive_utc(value):
    return value.astimezone(utc).replace(tzinfo=None)


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    def _aps_timezone(self):
        self.ensure_one()
        return timezone(self.tz or self.resource_calendar_id.tz or "UTC")

    def _aps_working_intervals(self, start, stop):
        """Working time of each employee between two naive UTC datetimes:
        ``{employee id: [(start, stop), ...]}`` in naive UTC, from the employee's working
        schedule with the employee's time off and public holidays deducted. An employee
        without a working schedule (flexible hours) may work at any time."""
        result = {}
        by_calendar = defaultdict(self.browse)
        for employee in self:
            by_calendar[employee.resource_calendar_id] |= employee
        for calendar, employees in by_calendar.items():
            if not calendar:
                for employee in employees:
                    result[employee.id] = [(start, stop)]
                continue
            intervals = calendar._work_intervals_batch(
                utc.localize(start),
                utc.localize(stop),
                resources=employees.resource_id,
                tz=timezone(calendar.tz or "UTC"),
            )
            for employee in employees:
                result[employee.id] = [
                    (max(start, _naive_utc(begin)), min(stop, _naive_utc(end)))
                    for begin, end, _meta in intervals.get(employee.resource_id.id, [])
                ]
        return result

    def _aps_validity_end(self, employee_skills, moment):
        """How long this employee stays qualified from ``moment`` (naive UTC) by
        ``employee_skills`` (records that meet a requirement, any validity): ``None`` when
        the qualification has no end, the naive UTC datetime it lapses otherwise (the end of
        its last valid day in the employee's time zone, renewals that follow without a gap
        included), or ``False`` when it is not valid at ``moment`` (expired or not started).
        """
        self.ensure_one()
        tz = self._aps_timezone()
        today = utc.localize(moment).astimezone(tz).date()
        periods = sorted(
            ((es.valid_from or today, es.valid_to or None) for es in employee_skills),
            key=lambda period: period[0],
        )
        end = False  # last valid day reached so far (None: no end)
        for valid_from, valid_to in periods:
            if end is False:
                if valid_from <= today and (not valid_to or valid_to >= today):
                    end = valid_to or None
            elif end is not None and valid_from <= end + timedelta(days=1):
                end = None if not valid_to else max(end, valid_to)
        if end is False or end is None:
            return end
        lapse = tz.localize(datetime.combine(end + timedelta(days=1), time.min))
        return _naive_utc(lapse)
