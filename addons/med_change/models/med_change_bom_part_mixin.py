from odoo import api, models


class MedChangeBomPartMixin(models.AbstractModel):
    """A part of a bill of materials (component line, operation): it cannot be added,
    changed, moved or removed while its BoM is the new version of a change request under
    approval (see ``mrp.bom._med_check_not_frozen``)."""

    _name = "med.change.bom.part.mixin"
    _description = "Part of a Bill of Materials under Change"

    @api.model_create_multi
    def create(self, vals_list):
        boms = self.env["mrp.bom"].browse({vals.get("bom_id") for vals in vals_list} - {None})
        boms._med_check_not_frozen()
        return super().create(vals_list)

    def write(self, vals):
        self.bom_id._med_check_not_frozen()
        if vals.get("bom_id"):
            self.env["mrp.bom"].browse(vals["bom_id"])._med_check_not_frozen()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen_bom(self):
        self.bom_id._med_check_not_frozen()
