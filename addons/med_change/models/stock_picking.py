from collections import defaultdict

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming" and p.state == "done")
        receipts._med_check_approved_suppliers()
        return res

    def _med_check_approved_suppliers(self):
        """Quarantine what came from a supplier not approved for the component, with a
        nonconformance naming the supplier and the component."""
        Approval = self.env["med.supplier.approval"]
        labels = dict(Approval._fields["status"]._description_selection(self.env))
        for picking in self:
            supplier = picking.partner_id.commercial_partner_id
            lines_by_product = defaultdict(lambda: self.env["stock.move.line"])
            for line in picking.move_line_ids.filtered(lambda ml: ml.state == "done"):
                lines_by_product[line.product_id] |= line
            for product, lines in lines_by_product.items():
                if not Approval._med_is_controlled(product, picking.company_id):
                    continue
                status = Approval._med_status(product, supplier, picking.company_id)
                if status in ("approved", "conditional"):
                    continue
                picking._med_quarantine_unapproved(
                    product,
                    lines,
                    labels.get(status) or self.env._("not on the approved supplier list"),
                )

    def _med_quarantine_unapproved(self, product, lines, status_label):
        self.ensure_one()
        supplier = self.partner_id.commercial_partner_id
        supplier_name = supplier.name or self.env._("an unknown supplier")
        origin = self.env._(
            "received in %(picking)s from %(supplier)s (%(status)s for %(component)s)",
            picking=self.name,
            supplier=supplier_name,
            status=status_label,
            component=product.display_name,
        )
        lots = lines.lot_id
        to_quarantine = lots.filtered(
            lambda lot: lot.med_release_decision not in ("quarantine", "rejected")
        )
        if to_quarantine:
            to_quarantine._med_set_decision("quarantine", note=origin)
        description = self.env._(
            "%(component)s received in %(picking)s from %(supplier)s, which is %(status)s "
            "for this component on the approved supplier list. The received lots are in "
            "quarantine until QA decides (disposition, then signed release or rejection).",
            component=product.display_name,
            picking=self.name,
            supplier=supplier_name,
            status=status_label,
        )
        NC = self.env["med.quality.nonconformance"].sudo()
        ncs = NC.create(
            [
                {
                    "company_id": self.company_id.id,
                    "lot_id": lot.id,
                    "product_id": product.id,
                    "picking_id": self.id,
                    "med_supplier_id": supplier.id or False,
                    "description": description,
                }
                for lot in lots
            ]
            or [
                {
                    "company_id": self.company_id.id,
                    "product_id": product.id,
                    "picking_id": self.id,
                    "med_supplier_id": supplier.id or False,
                    "description": description,
                }
            ]
        )
        self.message_post(
            body=self.env._(
                "%(component)s from %(supplier)s (%(status)s): lots %(lots)s in quarantine, "
                "nonconformance %(ncs)s opened.",
                component=product.display_name,
                supplier=supplier_name,
                status=status_label,
                lots=", ".join(lots.mapped("name")) or "-",
                ncs=", ".join(ncs.mapped("name")),
            )
        )
        return ncs
