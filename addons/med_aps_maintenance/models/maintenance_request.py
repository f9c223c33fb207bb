from odoo import api, models


class MaintenanceRequest(models.Model):
    _inherit = "maintenance.request"

    def _aps_unavailable_window(self, now, stop):
        """The (begin, end) naive UTC the request takes its equipment out of work, (None,
        None) for none. A preventive request takes its scheduled period; a breakdown
        (corrective) stops the equipment from when it was reported, until its scheduled end
        when one is set in the future, otherwise until ``stop`` (nobody knows when it is
        repaired)."""
        self.ensure_one()
        if self.maintenance_type == "preventive":
            if not self.schedule_date or not self.schedule_end:
                return None, None
            return self.schedule_date, self.schedule_end
        # broken since it was reported (or since its scheduled date, if earlier)
        begin = min(now, self.schedule_date or self.create_date or now)
        if self.schedule_end and self.schedule_end > now:
            return begin, self.schedule_end
        return begin, stop

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._aps_record_machine_events("workcenter_blocked")
        return requests

    def write(self, vals):
        open_before = self.filtered(lambda request: not request.stage_id.done)
        result = super().write(vals)
        if "stage_id" in vals:
            open_before.filtered(lambda request: request.stage_id.done)._aps_record_machine_events(
                "workcenter_unblocked"
            )
            # a preventive maintenance of a tool done: its cycle count starts again
            done = open_before.filtered(
                lambda request: (
                    request.stage_id.done
                    and request.maintenance_type == "preventive"
                    and request.equipment_id.aps_max_cycles
                )
            )
            if done:
                done.equipment_id.sudo().aps_cycles_used = 0
        return result

    def _aps_record_machine_events(self, kind):
        """A breakdown of a work center's machine reported (``workcenter_blocked``) or
        repaired (``workcenter_unblocked``): the planner's repair replans around it."""
        for request in self:
            workcenter = request.equipment_id.workcenter_id
            if request.maintenance_type != "corrective" or not workcenter:
                continue
            if kind == "workcenter_blocked" and request.stage_id.done:
                continue
            self.env["med.aps.plan.event"]._aps_record(
                kind, workcenter.company_id or request.company_id, workcenter_id=workcenter.id
            )
