from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import clean_context
from odoo.tools.sql import table_exists


class StockLot(models.Model):
    """Holds on a lot: who put it on hold, when and why; released only by a traceability
    manager. An active hold blocks the lot (``stock_lot_usage``)."""

    _inherit = "stock.lot"

    med_hold_ids = fields.One2many("med.lot.hold", "lot_id", string="Holds")
    med_hold_active = fields.Boolean(
        string="On Hold",
        compute="_compute_med_hold_active",
        store=True,
        tracking=True,
        help="An active hold blocks reservation, consumption and delivery of the lot. "
        "Derived from the holds: put the lot on hold or release its hold to change it.",
    )
    med_hold_count = fields.Integer(string="Hold Count", compute="_compute_med_hold_count")

    def init(self):
        res = super().init()
        # The hold flag used to be a plain field that users could write: on update,
        # derive it again from the holds (no-op when it already agrees). At install
        # the holds' table may not exist yet, and there is no hold anyway.
        if not table_exists(self.env.cr, "med_lot_hold"):
            return res
        self.env.cr.execute(
            """
            UPDATE stock_lot lot
               SET med_hold_active = held.active
              FROM (SELECT l.id, EXISTS(SELECT 1 FROM med_lot_hold h
                                         WHERE h.lot_id = l.id AND h.state = 'active') AS active
                      FROM stock_lot l) held
             WHERE held.id = lot.id AND lot.med_hold_active IS DISTINCT FROM held.active
            """
        )
        return res

    @api.model
    def _med_derived_fields(self):
        return super()._med_derived_fields() | {"med_hold_active"}

    @api.depends("med_hold_ids.state")
    def _compute_med_hold_active(self):
        for lot in self:
            lot.med_hold_active = any(hold.state == "active" for hold in lot.sudo().med_hold_ids)

    def _compute_med_hold_count(self):
        for lot in self:
            lot.med_hold_count = len(lot.med_hold_ids)

    def action_med_hold(self, reason):
        """Put the lots on hold: reservation, consumption and delivery are blocked."""
        return self._med_hold(reason)

    def action_med_release_hold(self, reason):
        """Release the active holds of the lots (trace manager only)."""
        return self._med_release_holds(reason)

    def _med_hold(self, reason, recall=False):
        """Create the holds of the lots (traceability users only).

        The only way a hold is created: ``med.lot.hold`` refuses a direct
        ``create`` by a user, so who, when and why always come from here.

        :param recall: ``med.recall`` that puts the lots on hold, if any
        :return: the new ``med.lot.hold`` records
        """
        if not self.env.su and not self.env.user.has_group("med_trace.group_trace_user"):
            raise AccessError(
                self.env._(
                    "Only a traceability user can put lots on hold (%(lots)s).",
                    lots=", ".join(self.mapped("display_name")),
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("A hold needs a reason."))
        held = self.filtered("med_hold_active")
        if held:
            raise UserError(
                self.env._(
                    "These lots are already on hold: %(lots)s",
                    lots=", ".join(held.mapped("display_name")),
                )
            )
        now = fields.Datetime.now()
        holds = (
            self.env["med.lot.hold"]
            .sudo()
            .with_context(clean_context(self.env.context))
            .create(
                [
                    {
                        "lot_id": lot.id,
                        "reason": reason.strip(),
                        "user_id": self.env.user.id,
                        "date": now,
                        "state": "active",
                        "recall_id": recall.id if recall else False,
                        "company_id": (lot.company_id or self.env.company).id,
                    }
                    for lot in self
                ]
            )
        )
        for hold in holds:
            hold.lot_id.message_post(
                body=self.env._("Put on hold: %(reason)s", reason=hold.reason),
                subtype_xmlid="mail.mt_note",
            )
        return holds.with_env(self.env)

    def _med_release_holds(self, reason):
        """Release the active holds of the lots (traceability managers only)."""
        if not self.env.su and not self.env.user.has_group("med_trace.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a traceability manager can release a hold (%(lots)s).",
                    lots=", ".join(self.mapped("display_name")),
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Releasing a hold needs a reason."))
        not_held = self.filtered(lambda lot: not lot.med_hold_active)
        if not_held:
            raise UserError(
                self.env._(
                    "These lots are not on hold: %(lots)s",
                    lots=", ".join(not_held.mapped("display_name")),
                )
            )
        holds = self.sudo().med_hold_ids.filtered(lambda hold: hold.state == "active")
        holds._med_release(reason.strip(), self.env.user)
        for lot in self:
            lot.message_post(
                body=self.env._("Hold released: %(reason)s", reason=reason.strip()),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_med_open_hold_wizard(self):
        return self._med_hold_wizard_action("hold")

    def action_med_open_release_wizard(self):
        return self._med_hold_wizard_action("release")

    def _med_hold_wizard_action(self, mode):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put on Hold") if mode == "hold" else self.env._("Release Hold"),
            "res_model": "med.lot.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_ids": self.ids, "default_mode": mode},
        }

    def action_med_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("med_trace.action_med_lot_hold")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action
