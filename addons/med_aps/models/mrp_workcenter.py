from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
