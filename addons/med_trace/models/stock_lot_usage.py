from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime


class StockLot(models.Model):
    """What blocks a lot from being reserved, consumed or delivered, and the one error that
    lists every blocked lot (extended by ``med_quality_release`` with the release state)."""

    _inherit = "stock.lot"

    def _med_blocking_reasons(self, usage):
        """Reasons why lots of ``self`` must not be used for ``usage``.

        :param usage: ``'reserve'``, ``'consume'`` (MO consumption) or
            ``'deliver'`` (outgoing to a customer)
        :return: ``{lot: [reason, ...]}`` for the blocked lots only
        """
        reasons = defaultdict(list)
        if not self.ids:
            return reasons
        holds = (
            self.env["med.lot.hold"]
            .sudo()
            .search([("lot_id", "in", self.ids), ("state", "=", "active")], order="date, id")
        )
        for hold in holds:
            reasons[self.browse(hold.lot_id.id)].append(
                self.env._(
                    "on hold since %(date)s by %(user)s: %(reason)s",
                    date=format_datetime(self.env, hold.date),
                    user=hold.user_id.name,
                    reason=hold.reason,
                )
            )
        return dict(reasons)

    @api.model
    def _med_check_usage(self, lots_by_usage):
        """Raise ONE UserError listing every blocked lot and its reasons.

        :param lots_by_usage: ``{usage: stock.lot recordset}``
        """
        verbs = {
            "reserve": self.env._("cannot be reserved or moved"),
            "consume": self.env._("cannot be consumed"),
            "deliver": self.env._("cannot be delivered"),
        }
        lines = []
        for usage, lots in lots_by_usage.items():
            if not lots:
                continue
            for lot, reasons in lots._med_blocking_reasons(usage).items():
                lines.append(
                    "- %s (%s) %s: %s"
                    % (lot.name, lot.product_id.display_name, verbs[usage], "; ".join(reasons))
                )
        if lines:
            raise UserError(
                self.env._("Blocked lots, nothing was done:\n%(lines)s", lines="\n".join(lines))
            )
