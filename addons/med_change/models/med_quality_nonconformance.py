from odoo import fields, models


class MedQualityNonconformance(models.Model):
    _inherit = "med.quality.nonconformance"

    med_supplier_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        readonly=True,
        index="btree_not_null",
        help="Set when the nonconformance was opened by a receipt from a supplier that is "
        "not approved for the component.",
    )

    @property
    def _SYSTEM_FIELDS(self):
        return super()._SYSTEM_FIELDS | {"med_supplier_id"}

    @property
    def _FROZEN_WHEN_CLOSED(self):
        return super()._FROZEN_WHEN_CLOSED | {"med_supplier_id"}
