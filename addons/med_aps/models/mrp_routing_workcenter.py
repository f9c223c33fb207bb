from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MrpRoutingWorkcenter(models.Model):
    _inherit = "mrp.routing.workcenter"

    aps_setup_family_id = fields.Many2one(
        "med.aps.setup.family",
        "Setup Family",
        help="Used for changeovers; defaults to the product's setup family.",
    )
    aps_batch_family_id = fields.Many2one(
        "med.aps.batch.family",
        "Batch Family",
        help="Operations of the same batch family may share a batch cycle; defaults to the "
        "product's batch family.",
    )
    aps_non_interruptible = fields.Boolean(
        "Non-interruptible",
        help="The operation must run inside one working interval of the work center "
        "(it cannot span a break or a closed day).",
    )
    aps_hold_minutes = fields.Integer(
        "Hold After (min)",
        help="Minimum waiting time after this operation before the next one may start "
        "(e.g. EO aeration or quarantine).",
    )
    aps_hold_max_minutes = fields.Integer(
        "Max Wait After (min)",
        help="Maximum waiting time after this operation before the next one must start; "
        "0 means no maximum.",
    )

    @api.constrains("aps_hold_minutes", "aps_hold_max_minutes")
    def _check_aps_hold(self):
        for operation in self:
            if operation.aps_hold_minutes < 0 or operation.aps_hold_max_minutes < 0:
                raise ValidationError(
                    self.env._(
                        "Operation %(op)s: hold times cannot be negative.",
                        op=operation.display_name,
                    )
                )
            if (
                operation.aps_hold_max_minutes
                and operation.aps_hold_max_minutes < operation.aps_hold_minutes
            ):
                raise ValidationError(
                    self.env._(
                        "Operation %(op)s: the maximum wait is shorter than the minimum hold.",
                        op=operation.display_name,
                    )
                )
