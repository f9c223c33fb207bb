from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedChangeCommon


@tagged("post_install", "-at_install")
class TestChangeRequest(MedChangeCommon):
    def produce(self, production, lot_name):
        production.action_assign()
        production.lot_producing_ids = self.env["stock.lot"].create(
            {"name": lot_name, "product_id": self.device.id}
        )
        production.qty_producing = production.product_qty
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        return production.lot_producing_ids

    def test_blocks_until_both_signatures_then_orders_use_the_new_version(self):
        waiting = self.production()
        started = self.production()
        started.workorder_ids.button_start()
        self.assertEqual(started.state, "progress")
        request = self.new_request()
        new_bom = self.prepare_new_version(request)
        self.assertFalse(new_bom.active, "a new version stays archived until it takes effect")
        self.assertEqual((new_bom.med_version, new_bom.med_previous_bom_id), (2, self.bom))

        request.with_user(self.engineer).action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(new_bom.med_routing_version, 2, "the molding time changed")
        impact = {
            (line.kind, line.production_id, line.product_id): line
            for line in request.impact_line_ids
        }
        self.assertEqual(impact["production", waiting, self.device].effect, "switch")
        self.assertEqual(impact["production", started, self.device].effect, "keep")
        self.assertEqual(impact["production", waiting, self.device].date, waiting.date_start)
        silicone = impact["stock", self.env["mrp.production"], self.silicone]
        self.assertRecordValues(
            silicone, [{"effect": "quantity", "old_bom_qty": 3, "new_bom_qty": 2}]
        )
        self.assertEqual(impact["stock", self.env["mrp.production"], self.valve].effect, "added")
        self.assertGreater(silicone.quantity, 0, "stock on hand of the component")

        # one signature: nothing changes in production
        self.sign(request, "engineering")
        self.assertEqual(request.state, "submitted")
        self.assertFalse(new_bom.active)
        draft = self.production(confirm=False)
        self.assertEqual(draft.bom_id, self.bom)
        self.assertEqual(waiting.bom_id, self.bom)

        # both signatures, effectivity date passed: in effect at once
        self.sign(request, "quality")
        self.assertEqual(request.state, "effective")
        self.assertTrue(new_bom.active)
        self.assertFalse(self.bom.active, "the old version is archived, kept as a record")
        self.assertEqual(waiting.bom_id, new_bom, "not started: switched to the new version")
        self.assertEqual(
            sorted(waiting.move_raw_ids.mapped(lambda m: (m.product_id.name, m.product_uom_qty))),
            [("Silicone (test)", 2.0), ("Valve (test)", 1.0)],
        )
        self.assertTrue(all(m.state != "draft" for m in waiting.move_raw_ids))
        self.assertEqual(waiting.workorder_ids.operation_id, new_bom.operation_ids)
        self.assertEqual((waiting.med_bom_version, waiting.med_routing_version), (2, 2))
        self.assertEqual(waiting.med_change_request_id, request)
        self.assertEqual(started.bom_id, self.bom, "started: keeps its version")
        self.assertEqual((started.med_bom_version, started.med_routing_version), (1, 1))
        self.assertEqual(draft.bom_id, new_bom, "a draft order follows the new version too")
        self.assertEqual(request.switched_production_ids, waiting | draft)
        self.assertEqual(request.kept_production_ids, started)
        self.assertEqual(len(request.signature_ids), 2)
        with self.assertRaisesRegex(UserError, "bringing it back is a new change request"):
            self.bom.with_user(self.engineer).active = True

        # the next planned order uses the new version, and its DHR says so
        following = self.production()
        self.assertEqual(following.bom_id, new_bom)
        lot = self.produce(following, "CATH-V2-001")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("med_trace.action_report_dhr", lot.ids)[0]
            .decode()
        )
        self.assertIn("o_med_dhr_versions", html)
        self.assertRegex(html, r"BoM Version</th><td><span>2</span>")
        self.assertRegex(html, r"Routing Version</th><td><span>2</span>")
        self.assertIn(request.name, html)

    def test_future_effectivity_waits_for_the_date(self):
        waiting = self.production()
        effective = fields.Datetime.now() + timedelta(days=3)
        request = self.new_request(effective_date=effective)
        new_bom = self.prepare_new_version(request)
        request.with_user(self.engineer).action_submit()
        self.sign(request, "engineering")
        self.sign(request, "quality")
        self.assertEqual(request.state, "approved")
        self.assertFalse(new_bom.active)
        with self.assertRaisesRegex(UserError, "takes effect on"):
            request.with_user(self.engineer).action_apply()
        self.env["med.change.request"]._cron_apply_due()
        self.assertEqual((request.state, waiting.bom_id), ("approved", self.bom))
        with freeze_time(effective + timedelta(minutes=1)):
            self.env["med.change.request"]._cron_apply_due()
        self.assertEqual((request.state, waiting.bom_id), ("effective", new_bom))

    def test_same_person_cannot_sign_both_approvals(self):
        both = self.engineer
        both.group_ids += self.env.ref("med_quality_release.group_qa_manager")
        request = self.new_request()
        self.prepare_new_version(request)
        request.with_user(self.engineer).action_submit()
        self.sign(request, "engineering")
        with self.assertRaisesRegex(UserError, "two different people"):
            self.sign(request, "quality", user=both)
        self.assertEqual(request.state, "submitted")
        self.assertFalse(request.qa_signature_id)

    def test_submitted_content_is_frozen(self):
        request = self.new_request()
        new_bom = self.prepare_new_version(request)
        request.with_user(self.engineer).action_submit()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            request.with_user(self.engineer).reason = "Something else"
        with self.assertRaisesRegex(UserError, "cannot be changed any more"):
            new_bom.with_user(self.engineer).bom_line_ids[0].product_qty = 1
        with self.assertRaisesRegex(UserError, "not by hand"):
            new_bom.with_user(self.engineer).active = True
        self.assertEqual(new_bom.bom_line_ids[0].product_qty, 2)
        self.assertFalse(new_bom.active)
        request.with_user(self.engineer).action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(new_bom.active)

    def test_parts_of_submitted_version_are_frozen(self):
        """Component lines and operations of a submitted version cannot be added, changed,
        moved into it or removed."""
        request = self.new_request()
        new_bom = self.prepare_new_version(request).with_user(self.engineer)
        request.with_user(self.engineer).action_submit()
        for part in (new_bom.bom_line_ids[0], new_bom.operation_ids):
            with self.assertRaisesRegex(UserError, "cannot be changed any more"):
                part.unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed any more"):
            new_bom.operation_ids.time_cycle_manual = 10
        with self.assertRaisesRegex(UserError, "cannot be changed any more"):
            self.env["mrp.bom.line"].with_user(self.engineer).create(
                {"bom_id": new_bom.id, "product_id": self.valve.id, "product_qty": 1}
            )
        with self.assertRaisesRegex(UserError, "cannot be changed any more"):
            self.env["mrp.routing.workcenter"].with_user(self.engineer).create(
                {"bom_id": new_bom.id, "name": "Inspect", "workcenter_id": self.workcenter.id}
            )
        with self.assertRaisesRegex(UserError, "cannot be changed any more"):
            self.bom.operation_ids.with_user(self.engineer).bom_id = new_bom
        self.assertEqual(len(new_bom.bom_line_ids), 2)
        self.assertEqual(new_bom.operation_ids.time_cycle_manual, 25)
        self.assertEqual(len(self.bom.operation_ids), 1)

    def test_uninstall_refused_while_approvals_are_signed(self):
        request = self.new_request()
        self.prepare_new_version(request)
        request.with_user(self.engineer).action_submit()
        self.sign(request, "engineering")
        module = self.env["ir.module.module"].search([("name", "=", "med_change")])
        with self.assertRaisesRegex(UserError, r"holds \d+ signed change approvals"):
            module.button_uninstall()
        self.assertEqual(module.state, "installed")

    def test_submit_names_what_is_missing(self):
        request = self.new_request()
        with self.assertRaisesRegex(UserError, "the new version"):
            request.with_user(self.engineer).action_submit()
        supplier = self.new_request(change_type="supplier", old_bom_id=False)
        with self.assertRaisesRegex(
            UserError, "the component, the new supplier, the qualification evidence"
        ):
            supplier.with_user(self.engineer).action_submit()
        self.assertEqual((request.state, supplier.state), ("draft", "draft"))
