from odoo import fields, models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    med_check_ids = fields.One2many("med.quality.check", "production_id", string="Quality Checks")
    med_check_count = fields.Integer(
        string="Quality Check Count", compute="_compute_med_check_count"
    )

    def _compute_med_check_count(self):
        for production in self:
            production.med_check_count = len(production.med_check_ids)

    def button_mark_done(self):
        res = super().button_mark_done()
        self.filtered(lambda p: p.state == "done")._med_after_production()
        return res

    def action_med_open_checks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "med_quality_release.action_med_quality_check"
        )
        action["domain"] = [("production_id", "=", self.id)]
        return action

    def _med_after_production(self):
        """Quarantine produced lots and create the final inspection checks."""
        Point = self.env["med.quality.point"]
        for production in self:
            product = production.product_id
            lots = production.move_finished_ids.filtered(
                lambda m, product=product: m.product_id == product and m.state == "done"
            ).move_line_ids.lot_id
            if not lots:
                continue
            # checks recorded on the work orders before the lot existed
            production.sudo().med_check_ids.filtered(lambda c: not c.lot_id).write(
                {"lot_id": lots[0].id}
            )
            points = Point._med_points_for(
                production.product_id, "production", production.company_id
            )
            for lot in lots:
                self.env["med.quality.check"]._med_create_checks(
                    points,
                    production.qty_produced if len(lots) == 1 else 1.0,
                    {
                        "lot_id": lot.id,
                        "product_id": production.product_id.id,
                        "production_id": production.id,
                    },
                )
