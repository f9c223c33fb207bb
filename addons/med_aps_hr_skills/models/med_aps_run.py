from collections import defaultdict
from datetime import timedelta

from pytz import utc

from odoo import models
from odoo.tools.intervals import Intervals

from odoo.addons.med_aps.services.plan_scope import SecondarySource
from odoo.addons.med_aps.services.problem_builder import CALENDAR_END_TOLERANCE

NO_RECORDS = frozenset()


def _minus(intervals, blocked):
    """Sorted, disjoint ``[start, end)`` minute lists of ``intervals`` minus ``blocked``."""
    result = Intervals((a, b, NO_RECORDS) for a, b in intervals)
    if blocked:
        result -= Intervals((a, b, NO_RECORDS) for a, b in blocked)
    return [[start, end] for start, end, _none in result if end > start]


class MedApsRun(models.Model):
    _inherit = "med.aps.run"

    def _aps_secondary_sources(self, builder, workorders):
        """Qualified operators: one secondary resource per person (``EMP/<employee id>``),
        available in the employee's working time. Named assignment, not pools by skill: one
        person may hold several skills, so pools would double-book people; with one resource
        per person the engine never does, and the plan (then the DHR) names who works. A
        qualification that lapses inside the horizon ends the person's service to the
        operations needing that skill only (the requirement's ``valid_until``)."""
        sources = super()._aps_secondary_sources(builder, workorders)
        # requirement id -> the keys of the operators eligible for it, and the minute by which
        # each key whose qualification lapses must be done (read by the work orders)
        builder.aps_operator_keys = {}
        builder.aps_operator_valid_until = {}
        requirements = workorders.operation_id.aps_skill_ids
        if requirements:
            sources += self._aps_operator_sources(builder, workorders, requirements)
        return sources

    def _aps_operator_sources(self, builder, workorders, requirements):
        env = self.env
        origin = builder.origin
        horizon = builder.scope.horizon
        # the schedule facts of the people involved, whoever plans (HR data, read only)
        employee_skills = (
            env["hr.employee.skill"]
            .sudo()
            .search(
                [
                    ("skill_id", "in", requirements.skill_id.ids),
                    ("employee_id.active", "=", True),
                    ("employee_id.company_id", "in", workorders.company_id.ids),
                ]
            )
        )
        eligible = defaultdict(lambda: env["hr.employee"])
        lapse = defaultdict(dict)  # requirement -> {employee: when the qualification lapses}
        lapsing = defaultdict(set)  # (employee, skill, lapse) -> work orders
        unusable = defaultdict(set)  # (employee, skill, reason, date) -> work orders
        needing_by_requirement = {}  # requirement -> the work orders that need it
        for requirement in requirements:
            needing = needing_by_requirement[requirement] = workorders.filtered(
                lambda wo, r=requirement: r in wo.operation_id.aps_skill_ids
            )
            qualifying = requirement._aps_qualifying(employee_skills)
            for employee, records in qualifying.grouped("employee_id").items():
                end = employee._aps_validity_end(records, origin)
                if end is False:
                    reason, day = self._aps_invalid_reason(employee, records, origin)
                    unusable[employee, requirement.skill_id, reason, day] |= set(needing.ids)
                    continue
                eligible[requirement] |= employee
                if end is not None and builder.to_minutes(end) < horizon:
                    lapse[requirement][employee] = end
                    lapsing[employee, requirement.skill_id, end] |= set(needing.ids)
        self._aps_warn_unusable(builder, unusable, lapsing)

        employees = env["hr.employee"].union(*eligible.values())
        calendars = self._aps_operator_calendars(builder, workorders, employees)
        sources = []
        for employee in employees:
            if not calendars[employee.id]:
                continue  # no working time left in the horizon
            key = "EMP/%d" % employee.id
            builder.scope.names[key] = employee.name
            sources.append(
                SecondarySource(
                    vals={
                        "id": key,
                        "name": employee.name,
                        "count": 1,
                        "unit_names": [employee.name],
                        "calendar": calendars[employee.id],
                    },
                    model="hr.employee",
                    unit_ids=(employee.id,),
                    kind="operator",
                )
            )
        for requirement in requirements:
            working = eligible[requirement].filtered(lambda emp: calendars[emp.id]).sorted("id")
            if len(working) < requirement.operator_count:
                self._aps_too_few_operators(
                    builder, needing_by_requirement[requirement], requirement, working, unusable
                )
            builder.aps_operator_keys[requirement.id] = ["EMP/%d" % emp.id for emp in working]
            builder.aps_operator_valid_until[requirement.id] = {
                "EMP/%d" % employee.id: builder.to_minutes(end)
                for employee, end in lapse[requirement].items()
                if employee in working
            }
        return sources

    def _aps_invalid_reason(self, employee, records, origin):
        """Why ``records`` do not qualify ``employee`` at ``origin``: ("expired", last valid
        day) or ("not_started", first valid day)."""
        today = utc.localize(origin).astimezone(employee._aps_timezone()).date()
        ended = [es.valid_to for es in records if es.valid_to]
        started = [es.valid_from for es in records if es.valid_from and es.valid_from > today]
        if started and (not ended or max(ended) < min(started)):
            return "not_started", min(started)
        return "expired", max(ended)

    def _aps_warn_unusable(self, builder, unusable, lapsing):
        for (employee, skill, reason, day), wo_ids in sorted(
            unusable.items(), key=lambda item: (item[0][0].name, item[0][1].name)
        ):
            if reason == "expired":
                message = self.env._(
                    "%(employee)s: %(skill)s qualification expired %(date)s: "
                    "%(count)s work orders cannot use this operator.",
                    employee=employee.name,
                    skill=skill.name,
                    date=day,
                    count=len(wo_ids),
                )
            else:
                message = self.env._(
                    "%(employee)s: %(skill)s qualification valid only from %(date)s: "
                    "%(count)s work orders cannot use this operator.",
                    employee=employee.name,
                    skill=skill.name,
                    date=day,
                    count=len(wo_ids),
                )
            builder.warn(message)
        for (employee, skill, end), wo_ids in sorted(
            lapsing.items(), key=lambda item: (item[0][0].name, item[0][1].name)
        ):
            builder.warn(
                self.env._(
                    "%(employee)s: %(skill)s qualification expires %(date)s: this operator "
                    "is not planned for that skill after that date (%(count)s work orders "
                    "need it).",
                    employee=employee.name,
                    skill=skill.name,
                    date=self._aps_local_day(employee, end),
                    count=len(wo_ids),
                )
            )

    def _aps_local_day(self, employee, end):
        """The last valid day of a qualification lapsing at ``end`` (naive UTC)."""
        local = utc.localize(end - timedelta(minutes=1)).astimezone(employee._aps_timezone())
        return local.date()

    def _aps_operator_calendars(self, builder, workorders, employees):
        """Available minutes per employee: working time in the horizon, minus the time other
        work orders already hold them."""
        horizon = builder.scope.horizon
        stop = builder.origin + timedelta(minutes=horizon)
        working = employees._aps_working_intervals(builder.origin, stop)
        booked = defaultdict(list)
        for line in (
            self.env["med.aps.workorder.resource"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "hr.employee"),
                    ("res_id", "in", employees.ids),
                    ("workorder_id", "not in", workorders.ids),
                    ("workorder_id.state", "not in", ("done", "cancel")),
                    ("date_end", ">", builder.origin),
                    ("date_start", "<", stop),
                ]
            )
        ):
            booked[line.res_id].append(
                [builder.to_minutes(line.date_start), builder.to_minutes(line.date_end, "ceil")]
            )
        result = {}
        for employee in employees:
            minutes = []
            for start, finish in working[employee.id]:
                lo = max(0, builder.to_minutes(start, "ceil"))
                hi = min(horizon, builder.to_minutes(finish + CALENDAR_END_TOLERANCE))
                if hi > lo:
                    minutes.append([lo, hi])
            result[employee.id] = _minus(minutes, booked[employee.id])
        return result

    def _aps_too_few_operators(self, builder, needing, requirement, working, unusable):
        """Too few people can work the requirement in the horizon: a run stops with the
        reason; the plan check names each work order that needs it and checks the others
        (their modes leave the requirement unfilled, see ``_aps_mode_requires``)."""
        lapsed = sorted(
            "%s (%s)" % (employee.name, day)
            for (employee, skill, reason, day) in unusable
            if skill == requirement.skill_id and reason == "expired"
        )
        message = self.env._(
            "Operation %(operation)s needs %(count)s operators qualified in %(skill)s "
            "(%(level)s or above), but %(available)s can work in the planning horizon.",
            operation=requirement.operation_id.display_name,
            count=requirement.operator_count,
            skill=requirement.skill_id.name,
            level=requirement.skill_level_id.name,
            available=len(working),
        )
        if lapsed:
            message += " " + self.env._(
                "Expired qualifications: %(names)s.", names=", ".join(lapsed)
            )
        for workorder in needing:
            builder._workorder_error(workorder, message)
