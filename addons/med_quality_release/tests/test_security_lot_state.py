"""Release state, checks and nonconformances attacked over XML-RPC by weaker users.

Every attack asserts the refusal message, that the data did not change and
that the audit trail (release log, signatures, chatter) is intact.
"""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedQualityRpcCase


@tagged("post_install", "-at_install")
class TestSecurityLotState(MedQualityRpcCase):
    def lot_state(self, lot):
        self.env.invalidate_all()
        return (
            lot.med_release_decision,
            lot.med_release_state,
            lot.med_release_signature_id,
            lot.med_release_date,
            lot.med_quarantine_date,
            lot.med_dhr_frozen,
            lot.med_dhr_attachment_id,
            lot.med_release_log_ids.ids,
            lot.med_signature_ids.ids,
        )

    def check_state(self, check):
        self.env.invalidate_all()
        return (
            check.state,
            check.lot_id,
            check.defect_count,
            check.measure_value,
            check.equipment_ref,
            check.inspector_id,
            check.date_done,
            check.superseded_by_id,
            check.accept_number,
        )

    def released_pouch(self, name):
        _receipt, pouch = self.receive(self.component, name, 10)
        self.record_pass(pouch.med_check_ids)
        self.sign(pouch, "release", comment="Incoming lot accepted")
        self.assertEqual(pouch.med_release_state, "released")
        return pouch

    # ------------------------------------------------------------------
    # Release decision, signature and DHR fields
    # ------------------------------------------------------------------
    def test_stock_user_cannot_release_by_write(self):
        _receipt, pouch = self.receive(self.component, "POUCH-W", 10)
        before = self.lot_state(pouch)
        for vals in (
            {"med_release_decision": "released"},
            {"med_release_state": "released"},
            {"med_release_date": "2026-01-01 00:00:00"},
            {"med_quarantine_date": False},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    "POUCH-W",
                    self.stock_user,
                    "stock.lot",
                    "write",
                    [pouch.id],
                    vals,
                    context={"install_mode": True, "med_releasing": True},
                )
        self.assertEqual(self.lot_state(pouch), before)
        # and the lot still cannot ship
        delivery = self.deliver(pouch, 2)
        with self.assertRaisesRegex(UserError, r"POUCH-W .* cannot be delivered: in quarantine"):
            delivery.button_validate()
        self.assertEqual(self.quantity(self.component, pouch), 10)

    def test_stock_user_cannot_create_released_lot(self):
        self.assertRefused(
            "cannot be written directly",
            self.stock_user,
            "stock.lot",
            "create",
            {
                "name": "FORGED-REL",
                "product_id": self.device.id,
                "med_release_decision": "released",
            },
        )
        self.assertFalse(self.env["stock.lot"].search([("name", "=", "FORGED-REL")]))
        lot_id = self.rpc(
            self.stock_user,
            "stock.lot",
            "create",
            {"name": "DEFAULT-REL", "product_id": self.device.id},
            context={
                "default_med_release_decision": "released",
                "default_med_release_state": "released",
            },
        )
        lot = self.env["stock.lot"].browse(lot_id)
        self.assertEqual((lot.med_release_decision, lot.med_release_state), (False, False))

    def test_stock_user_cannot_point_release_at_other_signature(self):
        released = self.released_pouch("POUCH-OK")
        _receipt, pouch = self.receive(self.component, "POUCH-2", 10)
        before = self.lot_state(pouch)
        released_before = self.lot_state(released)
        self.assertRefused(
            "cannot be written directly",
            self.stock_user,
            "stock.lot",
            "write",
            [pouch.id],
            {"med_release_signature_id": released.med_release_signature_id.id},
        )
        self.assertRefused(
            "cannot be written directly",
            self.stock_user,
            "stock.lot",
            "write",
            [released.id],
            {"med_dhr_frozen": False},
        )
        self.assertEqual(self.lot_state(pouch), before)
        self.assertEqual(self.lot_state(released), released_before)
        self.assertTrue(released.med_dhr_frozen)

    def test_qa_manager_cannot_bypass_signature_by_write(self):
        _receipt, pouch = self.receive(self.component, "POUCH-M", 10)
        before = self.lot_state(pouch)
        self.assertRefused(
            "cannot be written directly",
            self.manager,
            "stock.lot",
            "write",
            [pouch.id],
            {"med_release_decision": "released"},
        )
        self.assertEqual(self.lot_state(pouch), before)

    # ------------------------------------------------------------------
    # The gate checks the signature, not only the field
    # ------------------------------------------------------------------
    def _force_decision(self, lot, **columns):
        """Alter the lot row in the database, as a manual SQL change would."""
        self.env.flush_all()
        for column, value in columns.items():
            self.env.cr.execute(
                f"UPDATE stock_lot SET {column} = %s WHERE id = %s",  # noqa: S608
                [value, lot.id],
            )
        self.env.invalidate_all()

    def test_gate_refuses_released_without_signature(self):
        _receipt, pouch = self.receive(self.component, "POUCH-SQL", 10)
        self._force_decision(pouch, med_release_decision="released", med_release_state="released")
        reasons = pouch._med_blocking_reasons("deliver")
        self.assertIn("marked released without a signed release of this lot", reasons[pouch][0])
        delivery = self.deliver(pouch, 1)
        with self.assertRaisesRegex(UserError, "POUCH-SQL .* marked released without a signed"):
            delivery.button_validate()
        self.assertEqual(self.quantity(self.component, pouch), 10)
        with self.assertRaisesRegex(UserError, "no Certificate of Conformance"):
            pouch.action_med_print_coc()

        # the signature of another lot does not release this one
        other = self.released_pouch("POUCH-OTHER")
        self._force_decision(pouch, med_release_signature_id=other.med_release_signature_id.id)
        self.assertIn(
            "marked released without a signed release of this lot",
            pouch._med_blocking_reasons("deliver")[pouch][0],
        )
        self.assertFalse(other._med_blocking_reasons("deliver"))

    def test_gate_refuses_release_superseded_by_reject(self):
        pouch = self.released_pouch("POUCH-REJ")
        release = pouch.med_release_signature_id
        self.sign(pouch, "reject", comment="Field complaint")
        self.assertEqual(pouch.med_release_state, "rejected")
        # someone puts the old decision back in the database
        self._force_decision(pouch, med_release_decision="released", med_release_state="released")
        self.assertEqual(pouch.med_release_signature_id, release)
        reason = pouch._med_blocking_reasons("deliver")[pouch][0]
        self.assertIn("a later signature (Rejected by Marta Manager", reason)

    def test_gate_accepts_signed_release(self):
        pouch = self.released_pouch("POUCH-GOOD")
        self.assertTrue(pouch.med_release_signature_id.hash_valid)
        self.assertFalse(pouch._med_blocking_reasons("deliver"))
        delivery = self.deliver(pouch, 3)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")

    # ------------------------------------------------------------------
    # Quality checks: recorded means frozen
    # ------------------------------------------------------------------
    def test_inspector_cannot_forge_todo_check(self):
        _receipt, pouch = self.receive(self.component, "POUCH-C", 10)
        _receipt2, other = self.receive(self.component, "POUCH-C2", 10)
        check = pouch.med_check_ids
        before = self.check_state(check)
        for vals in (
            {"state": "pass"},
            {"inspector_id": self.manager.id},
            {"date_done": "2026-01-01 00:00:00"},
            {"lot_id": other.id},
            {"accept_number": 10},
            {"superseded_by_id": other.med_check_ids.id},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    "cannot be written by hand",
                    self.inspector,
                    "med.quality.check",
                    "write",
                    [check.id],
                    vals,
                )
        self.assertEqual(self.check_state(check), before)
        self.assertRefused(
            "created by the control points",
            self.inspector,
            "med.quality.check",
            "create",
            {
                "point_id": self.receipt_point.id,
                "lot_id": pouch.id,
                "product_id": self.component.id,
                "trigger": "receipt",
                "test_type": "passfail",
                "state": "pass",
            },
        )
        self.assertEqual(pouch.med_check_ids, check)

    def test_recorded_check_frozen_and_nc_stays_on_lot(self):
        _receipt, pouch = self.receive(self.component, "POUCH-F", 10)
        _receipt2, other = self.receive(self.component, "POUCH-F2", 10)
        check = pouch.med_check_ids
        self.rpc(self.inspector, "med.quality.check", "write", [check.id], {"defect_count": 1})
        self.rpc(self.inspector, "med.quality.check", "action_fail", [check.id])
        nc = check.nonconformance_ids
        self.assertEqual((check.state, nc.state, nc.lot_id), ("fail", "open", pouch))
        before = self.check_state(check)
        for vals in (
            {"defect_count": 0},
            {"note": "all good"},
            {"equipment_ref": "X"},
        ):
            with self.subTest(vals=vals):
                message = self.assertRefused(
                    "is already recorded",
                    self.inspector,
                    "med.quality.check",
                    "write",
                    [check.id],
                    vals,
                )
                self.assertIn(check.name, message)
        for vals in ({"state": "todo"}, {"state": "pass"}, {"lot_id": other.id}):
            with self.subTest(vals=vals):
                self.assertRefused(
                    check.name, self.inspector, "med.quality.check", "write", [check.id], vals
                )
        self.assertRefused(
            "already recorded as Failed",
            self.inspector,
            "med.quality.check",
            "action_pass",
            [check.id],
        )
        # frozen for the superuser too
        with self.assertRaisesRegex(UserError, "is already recorded"):
            check.sudo().write({"state": "pass"})
        with self.assertRaisesRegex(UserError, "is already recorded"):
            check.sudo().write({"lot_id": other.id})
        self.assertEqual(self.check_state(check), before)

        # the open NC stays on the failed lot
        self.assertRefused(
            "cannot be moved",
            self.inspector,
            "med.quality.nonconformance",
            "write",
            [nc.id],
            {"lot_id": other.id},
        )
        self.assertRefused(
            "cannot be moved",
            self.inspector,
            "med.quality.nonconformance",
            "write",
            [nc.id],
            {"lot_id": False},
        )
        self.assertRefused(
            "never deleted", self.manager, "med.quality.nonconformance", "unlink", [nc.id]
        )
        self.env.invalidate_all()
        self.assertEqual((nc.lot_id, nc.state, nc.exists()), (pouch, "open", nc))
        self.assertIn(f"nonconformance {nc.name} open", pouch._med_release_reason())

    def test_nc_closed_only_by_signature(self):
        _receipt, pouch = self.receive(self.component, "POUCH-NC", 10)
        check = pouch.med_check_ids
        check.with_user(self.inspector).write({"defect_count": 1})
        check.with_user(self.inspector).action_fail()
        nc = check.nonconformance_ids
        self.rpc(
            self.inspector,
            "med.quality.nonconformance",
            "write",
            [nc.id],
            {"disposition": "rework"},
        )
        other_signature = self.released_pouch("POUCH-SIGNED").med_release_signature_id
        messages = len(nc.message_ids)
        for vals in (
            {"state": "closed"},
            {"date_closed": "2026-01-01 00:00:00"},
            {"closing_signature_id": other_signature.id},
            {"check_id": False},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    "closed only by the electronic signature",
                    self.inspector,
                    "med.quality.nonconformance",
                    "write",
                    [nc.id],
                    vals,
                    context={"install_mode": True},
                )
        # a QA manager neither: only Sign and Close
        self.assertRefused(
            "closed only by the electronic signature",
            self.manager,
            "med.quality.nonconformance",
            "write",
            [nc.id],
            {"state": "closed"},
        )
        self.env.invalidate_all()
        self.assertEqual(
            (nc.state, nc.date_closed, nc.closing_signature_id.id), ("open", False, False)
        )
        self.assertEqual(len(nc.message_ids), messages)
        # creating a closed NC, directly or through a context default
        self.assertRefused(
            "A nonconformance is created open",
            self.inspector,
            "med.quality.nonconformance",
            "create",
            {"description": "forged", "lot_id": pouch.id, "state": "closed"},
        )
        nc_id = self.rpc(
            self.inspector,
            "med.quality.nonconformance",
            "create",
            {"description": "by hand", "lot_id": pouch.id},
            context={"default_state": "closed", "default_date_open": "2020-01-01 00:00:00"},
        )
        manual = self.env["med.quality.nonconformance"].browse(nc_id)
        self.assertEqual(manual.state, "open")
        self.assertGreater(str(manual.date_open), "2025")
        # the signature closes it
        self.sign(nc, "close_nc", comment="Reworked")
        self.assertEqual(nc.state, "closed")
        self.assertEqual(nc.closing_signature_id.meaning, "closed")
        self.assertEqual(nc.closing_signature_id.nonconformance_id, nc)
        self.assertRefused(
            "is closed and signed",
            self.manager,
            "med.quality.nonconformance",
            "write",
            [nc.id],
            {"owner_id": self.inspector.id},
        )

    def test_reinspection_is_a_new_empty_check(self):
        _receipt, pouch = self.receive(self.component, "POUCH-RI", 10)
        check = pouch.med_check_ids
        check.with_user(self.inspector).write({"defect_count": 1, "note": "scratches"})
        check.with_user(self.inspector).action_fail()
        failed = self.check_state(check)
        nc = check.nonconformance_ids
        nc.with_user(self.manager).write({"disposition": "rework"})
        self.sign(nc, "close_nc", comment="Reworked")
        action = self.rpc(self.inspector, "med.quality.check", "action_retest", [check.id])
        retest = self.env["med.quality.check"].browse(action["res_id"])
        self.env.invalidate_all()
        self.assertEqual(check.superseded_by_id, retest)
        self.assertEqual(self.check_state(check)[:7], failed[:7], "the failed check is kept")
        self.assertEqual(
            (retest.state, retest.inspector_id.id, retest.date_done, retest.defect_count),
            ("todo", False, False, 0),
        )
        self.assertEqual((retest.lot_id, retest.point_id), (pouch, check.point_id))
        self.assertFalse(retest.note)
        # the link is set once
        with self.assertRaisesRegex(UserError, "is already recorded"):
            check.sudo().write({"superseded_by_id": False})
        self.assertRefused(
            "Only a failed check that was not re-inspected",
            self.inspector,
            "med.quality.check",
            "action_retest",
            [check.id],
        )
        self.rpc(self.inspector, "med.quality.check", "action_pass", [retest.id])
        self.env.invalidate_all()
        self.assertEqual((retest.state, retest.inspector_id), ("pass", self.inspector))
        self.assertFalse(pouch._med_release_waiting_for())
