from odoo import models
from odoo.tools.intervals import Intervals


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    def _aps_working_intervals(self, start, stop):
        """Working time minus the time the work center's machine (the equipment whose work
        center it is) is under preventive maintenance, broken down or out of calibration."""
        result = super()._aps_working_intervals(start, stop)
        machines = (
            self.env["maintenance.equipment"].sudo().search([("workcenter_id", "in", self.ids)])
        )
        if not machines:
            return result
        windows = machines._aps_unavailable_windows(start, stop)
        for machine in machines:
            blocked = windows.get(machine.id)
            if not blocked or machine.workcenter_id.id not in result:
                continue
            working = Intervals(
                [(begin, end, set()) for begin, end in result[machine.workcenter_id.id]]
            )
            working -= Intervals([(begin, end, set()) for begin, end in blocked])
            result[machine.workcenter_id.id] = [(begin, end) for begin, end, _meta in working]
        return result
