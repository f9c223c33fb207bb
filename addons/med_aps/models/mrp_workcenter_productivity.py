from odoo import api, models


class MrpWorkcenterProductivity(models.Model):
    _inherit = "mrp.workcenter.productivity"

    @api.model_create_multi
    def create(self, vals_list):
        logs = super().create(vals_list)
        # a work center blocked with Odoo's own Block button: a time log of an availability
        # loss, open, without a work order
        for log in logs:
            if log.loss_type == "availability" and not log.date_end and not log.workorder_id:
                self.env["med.aps.plan.event"]._aps_record(
                    "workcenter_blocked",
                    log.workcenter_id.company_id or log.company_id,
                    workcenter_id=log.workcenter_id.id,
                )
        return logs
