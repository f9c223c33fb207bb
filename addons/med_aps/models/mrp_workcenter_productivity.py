from odoo import api, models

# what Odoo counts as the work center in use (``mrp.workcenter._compute_working_state``):
# an open time log of any other loss blocks it
WORKING_LOSS_TYPES = ("productive", "performance")


class MrpWorkcenterProductivity(models.Model):
    _inherit = "mrp.workcenter.productivity"

    @api.model_create_multi
    def create(self, vals_list):
        logs = super().create(vals_list)
        # a work center blocked with Odoo's own Block button: an open time log of any manual
        # loss (availability, or quality such as a process defect)
        for log in logs:
            if log.loss_type not in WORKING_LOSS_TYPES and not log.date_end:
                self.env["med.aps.plan.event"]._aps_record(
                    "workcenter_blocked",
                    log.workcenter_id.company_id or log.company_id,
                    workcenter_id=log.workcenter_id.id,
                )
        return logs
