from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

MODULE = "med_quality_release"


class IrModuleModule(models.Model):
    """Refuse to uninstall med_quality_release while it holds signatures.

    Uninstalling drops the tables of the signatures, the release audit trail
    and the failed attempts (21 CFR 11.10(c), (e): records must be retained).
    Checked when the uninstall is scheduled (button, ``odoo-bin module
    uninstall``) and again when it is carried out.
    """

    _inherit = "ir.module.module"

    def _med_check_signatures_retained(self, modules):
        if MODULE not in modules.mapped("name"):
            return
        self.env.cr.execute(SQL("SELECT to_regclass('med_signature') IS NOT NULL"))
        if not self.env.cr.fetchone()[0]:
            return
        self.env.cr.execute(
            SQL(
                "SELECT (SELECT count(*) FROM med_signature), "
                "(SELECT count(*) FROM med_lot_release_log)"
            )
        )
        signatures, entries = self.env.cr.fetchone()
        if not signatures:
            return
        raise UserError(
            self.env._(
                "Medical Device Quality Release cannot be uninstalled: the database holds "
                "%(signatures)s electronic signatures and %(entries)s release audit trail "
                "entries, and uninstalling would delete them (21 CFR 11.10(c) requires them "
                "to be retained). Archive them first: verify the hash chains "
                "(odoo-bin med_audit_verify), export the signatures and the audit trail "
                "(Quality Release > Audit), keep a backup of this database (pg_dump) for the "
                "retention period, and have the database owner remove the records outside "
                "Odoo after that period; then uninstall.",
                signatures=signatures,
                entries=entries,
            )
        )

    def button_uninstall(self):
        self._med_check_signatures_retained(self | self.downstream_dependencies())
        return super().button_uninstall()

    def module_uninstall(self):
        self._med_check_signatures_retained(self)
        return super().module_uninstall()
