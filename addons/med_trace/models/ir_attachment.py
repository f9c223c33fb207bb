from odoo import api, models
from odoo.exceptions import UserError


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _med_frozen_dhr(self):
        """The attachments of ``self`` that are a Device History Record of a frozen lot.

        A DHR is stored on its lot under a name ``DHR-...`` (see
        ``stock.lot._med_store_dhr``); once the lot's DHR is frozen, every stored
        version is part of the release record.
        """
        candidates = self.sudo().filtered(
            lambda att: (
                att.res_model == "stock.lot" and att.res_id and (att.name or "").startswith("DHR-")
            )
        )
        if not candidates:
            return candidates
        frozen = (
            self.env["stock.lot"]
            .sudo()
            .browse(set(candidates.mapped("res_id")))
            .exists()
            .filtered("med_dhr_frozen")
        )
        return candidates.filtered(lambda att: att.res_id in frozen.ids)

    def _med_check_not_frozen_dhr(self):
        frozen = self._med_frozen_dhr()
        if frozen:
            raise UserError(
                self.env._(
                    "%(names)s: the Device History Record of a released lot is frozen, it "
                    "cannot be changed or deleted.",
                    names=", ".join(frozen.mapped("name")),
                )
            )

    def write(self, vals):
        # the internal paths (storage migration, ...) run as superuser; a download
        # link (access token) changes nothing of the record
        if not self.env.su and set(vals) - {"access_token"}:
            self._med_check_not_frozen_dhr()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen_dhr(self):
        self._med_check_not_frozen_dhr()
