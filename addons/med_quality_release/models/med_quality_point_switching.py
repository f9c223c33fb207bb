from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import iso2859


class MedQualityPoint(models.Model):
    """ISO 2859-1 switching between normal, tightened and reduced inspection."""

    _inherit = "med.quality.point"

    sampling_switching = fields.Boolean(
        string="ISO 2859-1 Switching Rules",
        help="Switch between normal, tightened and reduced inspection per supplier by the "
        "rules of ISO 2859-1 clause 9, from the results of the lots checked by this point.",
    )
    switching_per_product = fields.Boolean(
        string="Switch per Product",
        help="Keep one inspection severity per supplier and product instead of one per supplier.",
    )
    switching_ids = fields.One2many(
        "med.quality.switching", "point_id", string="Inspection Severities"
    )

    @api.constrains("sampling_switching", "sampling")
    def _check_sampling_switching(self):
        for point in self.filtered("sampling_switching"):
            if point.sampling != "iso2859":
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': the switching rules need ISO 2859-1 sampling.",
                        point=point.name,
                    )
                )

    def _med_switching_values(self, lot_qty, values):
        """Severity and plan of a new check under the switching rules (else ``{}``)."""
        self.ensure_one()
        if not (self.sampling_switching and self.sampling == "iso2859"):
            return {}
        picking = self.env["stock.picking"].browse(values.get("picking_id"))
        product = self.env["product.product"].browse(values.get("product_id"))
        switching = self.env["med.quality.switching"]._med_for(self, picking.partner_id, product)
        severity = switching.severity
        vals = {"switching_id": switching.id, "inspection_severity": severity}
        lot_size = max(int(round(lot_qty)), 1)
        if severity in ("normal",) or lot_size < 2:
            return vals
        # a discontinued inspection samples like tightened; no lot can pass it
        table = "tightened" if severity == "discontinued" else severity
        plan = iso2859.sampling_plan(lot_size, self.aql, self.inspection_level, table)
        vals.update(
            sample_size=plan["sample_size"],
            code_letter=plan["code_letter"],
            accept_number=plan["accept"],
            reject_number=plan["reject"],
        )
        return vals
