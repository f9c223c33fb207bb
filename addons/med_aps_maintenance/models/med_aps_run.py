from collections import defaultdict

from odoo import models

from odoo.addons.med_aps.services.plan_scope import SecondarySource


def tool_key(equipment):
    return "EQ/%d" % equipment.id


class MedApsRun(models.Model):
    _inherit = "med.aps.run"

    def _aps_secondary_sources(self, builder, workorders):
        """The tools the scope's operations need (``EQ/<equipment id>``), each with the time
        its maintenance, a breakdown or its calibration due date leaves it. A tool that is
        out for the whole horizon (calibration expired, broken down) is left out and the
        planner told which work orders that affects; a work order left without tools stops
        the run. The planner is told, too, about work centers whose machine's calibration
        expired."""
        sources = super()._aps_secondary_sources(builder, workorders)
        users = defaultdict(workorders.browse)  # tool -> work orders that list it
        for workorder in workorders:
            for tool in workorder.operation_id.aps_tool_ids.equipment_ids:
                users[tool] |= workorder
        usable = set()
        tools = workorders.env["maintenance.equipment"].union(*users)
        windows = tools._aps_unavailable_windows(
            builder.origin, builder.scope.to_datetime(builder.scope.horizon)
        )
        for tool in tools.sorted("id"):
            if not tool.active:
                continue
            if tool._aps_calibration_status_on(builder.origin.date()) == "expired":
                builder.warn(tool._aps_calibration_expired_message(len(users[tool])))
                continue
            calendar = tool._aps_tool_calendar(builder, windows.get(tool.id, []))
            if not calendar:
                builder.warn(
                    self.env._(
                        "%(tool)s is under maintenance over the whole horizon: %(count)s work "
                        "orders cannot use it.",
                        tool=tool.name,
                        count=len(users[tool]),
                    )
                )
                continue
            usable.add(tool.id)
            builder.scope.names[tool_key(tool)] = tool.name
            sources.append(
                SecondarySource(
                    tool._aps_secondary_vals(calendar), "maintenance.equipment", (tool.id,), "tool"
                )
            )
        self._aps_check_tools_left(builder, workorders, usable)
        self._aps_warn_machine_calibration(builder, workorders)
        return sources

    def _aps_check_tools_left(self, builder, workorders, usable):
        """Stop the run, naming the work order and its tools, when a work order has not
        enough usable tools on any of the work centers it may run on."""
        for workorder in workorders:
            candidates = builder.candidates.get(workorder.id) or workorder.workcenter_id
            for line in workorder.operation_id.aps_tool_ids:
                if any(
                    len(line._fitting_tools(workcenter).filtered(lambda t: t.id in usable))
                    >= line.count
                    for workcenter in candidates
                ):
                    continue
                builder._workorder_error(
                    workorder,
                    self.env._(
                        "Work order %(wo)s needs %(count)s of %(tools)s and none is usable on "
                        "%(wcs)s: %(reasons)s.",
                        wo=builder.scope.names.get("WO/%d" % workorder.id, workorder.display_name),
                        count=line.count,
                        tools=", ".join(line.equipment_ids.mapped("name")),
                        wcs=", ".join(candidates.mapped("name")),
                        reasons="; ".join(
                            tool._aps_unusable_reason(builder, candidates)
                            for tool in line.equipment_ids
                        ),
                    ),
                )

    def _aps_warn_machine_calibration(self, builder, workorders):
        """Tell the planner which work centers a machine's expired calibration closes."""
        workcenters = builder.scope.workcenters
        machines = self.env["maintenance.equipment"].search(
            [("workcenter_id", "in", workcenters.ids), ("aps_calibration_required", "=", True)]
        )
        day = builder.origin.date()
        for machine in machines:
            if machine._aps_calibration_status_on(day) != "expired":
                continue
            count = sum(
                1
                for workorder in workorders
                if machine.workcenter_id
                in (builder.candidates.get(workorder.id) or workorder.workcenter_id)
            )
            builder.warn(machine._aps_calibration_expired_message(count))
