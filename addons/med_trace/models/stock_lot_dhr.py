from odoo import api, fields, models
from odoo.exceptions import UserError


class StockLot(models.Model):
    """The Device History Record of a lot: rendered, stored as a versioned attachment, frozen
    at release (a frozen record is never replaced)."""

    _inherit = "stock.lot"

    med_dhr_attachment_id = fields.Many2one(
        "ir.attachment", string="Device History Record", readonly=True, copy=False, tracking=True
    )
    med_dhr_date = fields.Datetime(string="DHR Date", readonly=True, copy=False)
    med_dhr_frozen = fields.Boolean(string="DHR Frozen", readonly=True, copy=False, tracking=True)
    med_dhr_version = fields.Integer(string="DHR Version", readonly=True, copy=False)

    @api.model
    def _med_protected_fields(self):
        return super()._med_protected_fields() | {
            "med_dhr_attachment_id",
            "med_dhr_date",
            "med_dhr_frozen",
            "med_dhr_version",
        }

    def action_med_generate_dhr(self):
        """Render the Device History Record and store it as an attachment.

        A frozen DHR (released lot) is never replaced: generating again is refused.
        """
        frozen = self.filtered("med_dhr_frozen")
        if frozen:
            raise UserError(
                self.env._(
                    "The Device History Record of %(lots)s is frozen (the lot is released); "
                    "print the report to get a current copy, the frozen record stays as it is.",
                    lots=", ".join(frozen.mapped("display_name")),
                )
            )
        self._med_store_dhr(frozen=False)
        return True

    def _med_freeze_dhr(self):
        """Render and store the DHR as the frozen record of the release.

        Called at release by med_quality_release. An earlier frozen version is
        kept as an attachment and the supersession is written in the chatter.
        """
        return self._med_store_dhr(frozen=True)

    def _med_store_dhr(self, frozen):
        report = self.env.ref("med_trace.action_report_dhr").sudo()
        attachments = self.env["ir.attachment"]
        for lot in self:
            content, content_type = report._render_qweb_pdf(report.report_name, res_ids=lot.ids)
            extension = "pdf" if content_type == "pdf" else "html"
            previous = lot.med_dhr_attachment_id
            version = lot.med_dhr_version + 1
            attachment = self.env["ir.attachment"].create(
                {
                    "name": "DHR-%s-%s-v%s.%s"
                    % (
                        lot.product_id.default_code or lot.product_id.id,
                        lot.name,
                        version,
                        extension,
                    ),
                    "raw": content,
                    "mimetype": "application/pdf" if extension == "pdf" else "text/html",
                    "res_model": "stock.lot",
                    "res_id": lot.id,
                }
            )
            if previous and lot.med_dhr_frozen:
                lot.message_post(
                    body=self.env._(
                        "Frozen Device History Record version %(new)s supersedes version "
                        "%(old)s (%(name)s), which is kept.",
                        new=version,
                        old=lot.med_dhr_version,
                        name=previous.name,
                    ),
                    attachment_ids=attachment.ids,
                )
            lot.sudo().write(
                {
                    "med_dhr_attachment_id": attachment.id,
                    "med_dhr_date": fields.Datetime.now(),
                    "med_dhr_frozen": frozen or lot.med_dhr_frozen,
                    "med_dhr_version": version,
                }
            )
            attachments |= attachment
        return attachments

    def action_med_open_dhr(self):
        self.ensure_one()
        if not self.med_dhr_attachment_id:
            raise UserError(
                self.env._("Lot %(lot)s has no stored Device History Record.", lot=self.name)
            )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % self.med_dhr_attachment_id.id,
            "target": "self",
        }

    def _med_dhr_productions(self):
        """Manufacturing orders that produced this lot (DHR content)."""
        self.ensure_one()
        move_lines = self.env["stock.move.line"].search(
            [("lot_id", "=", self.id), ("move_id.production_id", "!=", False)]
        )
        productions = move_lines.move_id.production_id
        productions |= self.env["mrp.production"].search([("lot_producing_ids", "in", self.ids)])
        return productions.sorted("id")
