from odoo import models
from odoo.exceptions import UserError

MODULE = "med_change"
MEANINGS = ("change_engineering", "change_quality")


class IrModuleModule(models.Model):
    """Refuse to uninstall med_change while change approvals are signed.

    Uninstalling would drop the change requests the signatures sign and remove the
    signature meanings this addon adds (21 CFR 11.10(c): records are retained). Same
    guard as Quality Release's, for this addon's own signatures.
    """

    _inherit = "ir.module.module"

    def _med_check_change_signatures_retained(self, modules):
        if MODULE not in modules.mapped("name"):
            return
        count = self.env["med.signature"].sudo().search_count([("meaning", "in", list(MEANINGS))])
        if count:
            raise UserError(
                self.env._(
                    "Medical Device Engineering Change Control cannot be uninstalled: the "
                    "database holds %(count)s signed change approvals, which must be retained "
                    "with the change requests they sign (21 CFR 11.10(c)).",
                    count=count,
                )
            )

    def button_uninstall(self):
        self._med_check_change_signatures_retained(self | self.downstream_dependencies())
        return super().button_uninstall()

    def module_uninstall(self):
        self._med_check_change_signatures_retained(self)
        return super().module_uninstall()
