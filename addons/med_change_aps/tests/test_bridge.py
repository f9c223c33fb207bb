from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestChangeApsBridge(TransactionCase):
    def test_switched_orders_are_plan_events(self):
        self.env.company.aps_repair_enabled = True
        engineer = new_test_user(
            self.env, login="chg_aps_engineer", groups="med_change.group_change_engineer"
        )
        quality = new_test_user(
            self.env, login="chg_aps_qa", groups="med_quality_release.group_qa_manager"
        )
        workcenter = self.env["mrp.workcenter"].create({"name": "Assembly (bridge)"})
        part = self.env["product.product"].create({"name": "Hub", "is_storable": True})
        device = self.env["product.product"].create({"name": "Port", "is_storable": True})
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": device.product_tmpl_id.id,
                "bom_line_ids": [Command.create({"product_id": part.id, "product_qty": 1})],
                "operation_ids": [
                    Command.create(
                        {"name": "Assemble", "workcenter_id": workcenter.id, "time_cycle": 10}
                    )
                ],
            }
        )
        waiting = self.env["mrp.production"].create({"product_id": device.id})
        waiting.action_confirm()
        request = (
            self.env["med.change.request"]
            .with_user(engineer)
            .create(
                {
                    "title": "Two hubs",
                    "reason": "Design change",
                    "old_bom_id": bom.id,
                    "effective_date": fields.Datetime.now() - timedelta(minutes=1),
                }
            )
        )
        request.action_create_new_version()
        request.new_bom_id.with_user(engineer).bom_line_ids.product_qty = 2
        request.action_submit()
        for user, role in ((engineer, "engineering"), (quality, "quality")):
            wizard = (
                self.env["med.change.sign.wizard"]
                .with_user(user)
                .browse(
                    self.env["med.change.sign.wizard"]
                    .with_user(user)
                    ._med_open(request.with_user(user), role)["res_id"]
                )
            )
            wizard._med_sign(user.login, "Reviewed")
        self.assertEqual(request.state, "effective")
        events = self.env["med.aps.plan.event"].search([("kind", "=", "production_bom_changed")])
        self.assertEqual(events.production_id, waiting)
        self.assertEqual(events.state, "pending", "the next plan repair answers it")
        self.assertIn("BoM v2 / routing v1", events.message)
        self.assertIn("(was BoM v1 / routing v1)", events.message)
