from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import gs1


class ProductTemplate(models.Model):
    _inherit = "product.template"

    med_gtin = fields.Char(
        string="GTIN (UDI-DI)",
        tracking=True,
        copy=False,
        index="btree_not_null",
        help="GS1 Global Trade Item Number used as device identifier in the UDI, stored as "
        "GTIN-14. When empty, the product barcode is used if it is a valid GTIN.",
    )

    _med_gtin_unique = models.Constraint(
        "UNIQUE(med_gtin)", "A GTIN can only be assigned to one product."
    )

    @api.constrains("med_gtin")
    def _check_med_gtin(self):
        for template in self:
            if template.med_gtin and not gs1.is_valid_gtin(template.med_gtin):
                raise ValidationError(
                    self.env._(
                        "The GTIN %(gtin)s of product %(product)s is not valid (8, 12, 13 or 14 "
                        "digits with a correct check digit).",
                        gtin=template.med_gtin,
                        product=template.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._med_normalize_gtin_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._med_normalize_gtin_vals(vals)
        return super().write(vals)

    @api.model
    def _med_normalize_gtin_vals(self, vals):
        if vals.get("med_gtin") and gs1.is_valid_gtin(vals["med_gtin"]):
            vals["med_gtin"] = gs1.normalize_gtin(vals["med_gtin"])

    def _med_get_gtin(self):
        """GTIN-14 of the product: ``med_gtin``, else the barcode if it is a valid GTIN."""
        self.ensure_one()
        if self.med_gtin and gs1.is_valid_gtin(self.med_gtin):
            return gs1.normalize_gtin(self.med_gtin)
        barcode = self.barcode or self.product_variant_ids[:1].barcode
        if barcode and gs1.is_valid_gtin(barcode):
            return gs1.normalize_gtin(barcode)
        return False
