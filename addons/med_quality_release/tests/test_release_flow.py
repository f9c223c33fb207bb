from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestReleaseFlow(MedQualityCommon):
    def test_full_path_receipt_to_delivery(self):
        # 1. receipt of a tracked component: quarantine + incoming inspection
        receipt, pouch = self.receive(self.component, "POUCH-001", 100)
        self.assertEqual(pouch.med_release_state, "quarantine")
        incoming = pouch.med_check_ids
        self.assertEqual(len(incoming), 1)
        self.assertEqual(incoming.picking_id, receipt)
        # ISO 2859-1, lot of 100, level II -> F (20 units); AQL 0.65 -> Ac 0 Re 1
        self.assertEqual(
            (incoming.code_letter, incoming.sample_size, incoming.accept_number), ("F", 20, 0)
        )
        self.assertEqual(
            pouch.med_release_log_ids.mapped("new_state"), ["quarantine"], "quarantine is logged"
        )

        # 2. an MO cannot consume the quarantined component: nothing moves
        production = self.produce(10, "KIT-001")
        with self.assertRaises(UserError) as error:
            production.button_mark_done()
        message = str(error.exception)
        self.assertIn("POUCH-001", message)
        self.assertIn("in quarantine: waiting for check 'Pouch visual inspection' (To Do)", message)
        self.assertNotEqual(production.state, "done")
        self.assertEqual(self.quantity(self.component, pouch), 100)
        self.assertEqual(self.quantity(self.device, production.lot_producing_ids), 0)

        # 3. incoming inspection passes, QA releases the component lot
        self.record_pass(incoming)
        self.assertEqual(incoming.state, "pass")
        self.assertEqual(incoming.inspector_id, self.inspector)
        self.sign(pouch, "release")
        self.assertEqual(pouch.med_release_state, "released")

        # 4. the MO now consumes the released lot; the kit enters quarantine
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        kit = production.lot_producing_ids
        self.assertEqual(kit.med_release_state, "quarantine")
        self.assertEqual(self.quantity(self.component, pouch), 90)
        final = kit.med_check_ids
        self.assertEqual(final.point_id, self.final_point)
        self.assertEqual((final.trigger, final.sample_size), ("production", 5))

        # 5. the kit cannot be delivered yet: nothing moves
        delivery = self.deliver(kit, 4)
        with self.assertRaises(UserError) as error:
            delivery.button_validate()
        message = str(error.exception)
        self.assertIn("KIT-001", message)
        self.assertIn("in quarantine: waiting for check 'Seal strength' (To Do)", message)
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(self.quantity(self.device, kit), 10)
        self.assertEqual(self.quantity(self.device, kit, self.customer_location), 0)

        # 6. release refused while the final check is to do; nothing changes
        with self.assertRaisesRegex(
            UserError, r"cannot be released: waiting for check 'Seal strength' \(To Do\)"
        ):
            self.sign(kit, "release")
        self.assertEqual(kit.med_release_state, "quarantine")
        self.assertFalse(kit.med_signature_ids)

        # 7. final inspection by the inspector, with measured value and equipment
        self.record_pass(final, measure_value=8.4, equipment_ref="PEEL-TESTER-07")
        self.assertEqual(final.state, "pass")

        # 8. signed release: status, signature, audit trail, frozen DHR
        self.sign(kit, "release", comment="DHR reviewed, all checks passed")
        self.assertEqual(kit.med_release_state, "released")
        signature = kit.med_release_signature_id
        self.assertEqual(signature.signer_id, self.manager)
        self.assertEqual(signature.meaning, "released")
        self.assertEqual(signature.comment, "DHR reviewed, all checks passed")
        self.assertEqual(
            kit.med_release_log_ids.sorted("id").mapped("new_state"), ["quarantine", "released"]
        )
        self.assertEqual(kit.med_release_log_ids.sorted("id")[-1].signature_id, signature)
        self.assertTrue(kit.med_dhr_attachment_id, "the DHR is generated at release")

        # 9. delivery goes through
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self.quantity(self.device, kit, self.customer_location), 4)

        # KPIs: first time right, lead time known
        self.env.flush_all()
        kpi = self.env["med.quality.release.report"].search([("lot_id", "=", kit.id)])
        self.assertEqual(
            (kpi.first_time_right, kpi.pass_rate, kpi.decision), (1, 100.0, "released")
        )
        self.assertGreaterEqual(kpi.lead_time_hours, 0.0)

    def test_release_refused_failed_check_and_open_nc(self):
        _receipt, pouch = self.receive(self.component, "POUCH-NC", 50)
        check = pouch.med_check_ids
        check.with_user(self.inspector).write({"defect_count": 2})
        check.with_user(self.inspector).action_fail()
        self.assertEqual(check.state, "fail")
        nc = check.nonconformance_ids
        self.assertEqual(len(nc), 1)
        self.assertEqual((nc.lot_id, nc.state), (pouch, "open"))
        self.assertIn("2 nonconforming units in a sample of", nc.description)

        with self.assertRaises(UserError) as error:
            self.sign(pouch, "release")
        message = str(error.exception)
        self.assertIn("check 'Pouch visual inspection' (Failed)", message)
        self.assertIn(f"nonconformance {nc.name} open", message)
        self.assertEqual(pouch.med_release_state, "quarantine")

        # closing needs a disposition
        with self.assertRaisesRegex(UserError, "cannot be closed without a disposition"):
            self.sign(nc, "close_nc")
        self.assertEqual(nc.state, "open")
        nc.with_user(self.manager).write({"disposition": "rework"})
        self.sign(nc, "review_nc", comment="Rework instruction approved")
        self.assertEqual(nc.state, "open", "a review signature does not close")
        self.assertEqual(nc.signature_ids.meaning, "reviewed")
        self.env.flush_all()
        age = self.env["med.quality.nc.report"].search([("nonconformance_id", "=", nc.id)])
        self.assertEqual((age.state, age.age_bucket, age.nc_count), ("open", "a_0_7", 1))
        self.sign(nc, "close_nc", comment="Units reworked and re-inspected")
        self.assertEqual(nc.state, "closed")
        self.assertEqual(nc.closing_signature_id.meaning, "closed")
        with self.assertRaisesRegex(UserError, "is closed and signed"):
            nc.with_user(self.manager).write({"disposition": "scrap"})

        # still refused: the failed check is not a passed check
        with self.assertRaisesRegex(UserError, r"check 'Pouch visual inspection' \(Failed\)"):
            self.sign(pouch, "release")

        retest = self.env["med.quality.check"].browse(
            check.with_user(self.inspector).action_retest()["res_id"]
        )
        self.assertEqual(check.superseded_by_id, retest)
        self.record_pass(retest)
        self.sign(pouch, "release")
        self.assertEqual(pouch.med_release_state, "released")

        self.env.flush_all()
        kpi = self.env["med.quality.release.report"].search([("lot_id", "=", pouch.id)])
        self.assertEqual((kpi.first_time_right, kpi.nc_count), (0, 1))

    def test_release_refused_component_not_released(self):
        self.category.med_block_consumption = False
        _receipt, pouch = self.receive(self.component, "POUCH-Q", 20)
        production = self.produce(5, "KIT-Q")
        production.button_mark_done()  # consumption allowed by the category
        self.assertEqual(production.state, "done")
        kit = production.lot_producing_ids
        self.record_pass(kit.med_check_ids, measure_value=7.0, equipment_ref="PT-1")
        with self.assertRaises(UserError) as error:
            self.sign(kit, "release")
        self.assertIn("component lot POUCH-Q (Sterile pouch) not released", str(error.exception))
        self.assertEqual(kit.med_release_state, "quarantine")
        self.assertFalse(kit.med_signature_ids)

        self.record_pass(pouch.med_check_ids)
        self.sign(pouch, "release")
        self.sign(kit, "release")
        self.assertEqual(kit.med_release_state, "released")

    def test_reject_blocks_delivery(self):
        _receipt, pouch = self.receive(self.component, "POUCH-REJ", 10)
        self.sign(pouch, "reject", comment="Supplier certificate missing")
        self.assertEqual(pouch.med_release_state, "rejected")
        self.assertEqual(pouch.med_signature_ids.meaning, "rejected")
        delivery = self.deliver(pouch, 10)
        with self.assertRaisesRegex(UserError, "POUCH-REJ.*rejected on"):
            delivery.button_validate()
        self.assertEqual(self.quantity(self.component, pouch), 10)
        with self.assertRaisesRegex(UserError, "already rejected"):
            self.sign(pouch, "reject")

    def test_only_qa_manager_releases(self):
        _receipt, pouch = self.receive(self.component, "POUCH-ACL", 10)
        self.record_pass(pouch.med_check_ids)
        for user in (self.inspector, self.stock_user):
            with self.assertRaisesRegex(AccessError, "Only a QA Manager"):
                pouch.with_user(user).action_med_quality_release()
        with self.assertRaises(AccessError):
            pouch.med_check_ids.with_user(self.stock_user).action_pass()
        self.assertEqual(pouch.med_release_state, "quarantine")

    def test_hold_is_logged_and_blocks_release(self):
        _receipt, pouch = self.receive(self.component, "POUCH-HOLD", 10)
        self.record_pass(pouch.med_check_ids)
        pouch.action_med_hold("Supplier recall notice")
        self.assertEqual(pouch.med_release_state, "on_hold")
        with self.assertRaisesRegex(UserError, "it is on hold"):
            self.sign(pouch, "release")
        pouch.sudo().action_med_release_hold("Recall does not concern this lot")
        self.assertEqual(pouch.med_release_state, "quarantine")
        self.assertEqual(
            pouch.med_release_log_ids.sorted("id").mapped("new_state"),
            ["quarantine", "on_hold", "quarantine"],
        )
        self.sign(pouch, "release")
        self.assertEqual(pouch.med_release_state, "released")

    def test_uncontrolled_category_is_not_blocked(self):
        self.category.write(
            {"med_quarantine_on_receipt": False, "med_quarantine_on_production": False}
        )
        _receipt, pouch = self.receive(self.component, "POUCH-FREE", 5)
        self.assertFalse(pouch.med_release_state)
        self.assertEqual(pouch._med_blocking_reasons("deliver"), {})

    def test_manual_quarantine(self):
        self.category.write({"med_quarantine_on_receipt": False})
        _receipt, pouch = self.receive(self.component, "POUCH-MAN", 5)
        with self.assertRaisesRegex(UserError, "Only a QA Manager"):
            pouch.with_user(self.inspector).action_med_quarantine()
        self.assertFalse(pouch.med_release_state)
        pouch.with_user(self.manager).action_med_quarantine()
        self.assertEqual(pouch.med_release_state, "quarantine")
        self.assertIn(
            "in quarantine: waiting for check 'Pouch visual inspection' (To Do)",
            pouch._med_blocking_reasons("deliver")[pouch][0],
        )
        self.sign(pouch, "reject", comment="Damaged in transport")
        with self.assertRaisesRegex(UserError, "cannot go back to quarantine"):
            pouch.with_user(self.manager).action_med_quarantine()
        self.assertEqual(pouch.med_release_state, "rejected")
