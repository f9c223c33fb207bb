"""ISO 2859-1 switching rules on receipts: a scripted lot history per supplier."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestSwitchingOnReceipts(MedQualityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # lots of 1000 at level II: code letter J; AQL 1.0 normal 80 2/3, tightened 80 1/2,
        # reduced 32 1/2
        cls.receipt_point.write({"aql": "1.0", "sampling_switching": True})
        cls.lot_seq = 0

    def lot(self, defects):
        """Receive a lot of 1000 from the supplier and record its check with ``defects``."""
        type(self).lot_seq += 1
        picking, lot = self.receive(self.component, f"SW-{self.lot_seq:03d}", 1000)
        check = picking.med_quality_check_ids.with_user(self.inspector)
        self.assertEqual(len(check), 1)
        check.defect_count = defects
        if defects <= check.accept_number:
            check.action_pass()
        else:
            check.action_fail()
        return picking, check

    @staticmethod
    def last_log(switching):
        return switching.log_ids.sorted("id")[-1]

    def test_scripted_lot_history(self):
        picking, check = self.lot(0)
        switching = check.switching_id
        self.assertEqual((check.inspection_severity, check.sample_size), ("normal", 80))
        self.assertEqual((check.accept_number, check.reject_number), (2, 3))
        self.assertEqual(switching.partner_id, self.partner)
        self.assertIn(switching, picking.med_switching_ids)
        self.assertIn(switching, self.partner.med_switching_ids)
        # accepted at the tighter AQL (0.65: Ac 1) -> +3
        self.assertEqual(switching.score, 3)
        self.lot(2)  # accepted at AQL 1.0, not at 0.65: score reset
        self.assertEqual((switching.score, switching.severity), (0, "normal"))
        self.lot(3)  # not accepted
        self.lot(0)
        self.assertEqual(switching.severity, "normal")
        self.lot(3)  # second lot not accepted among the last 5
        self.assertEqual(switching.severity, "tightened")
        log = switching.log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual((log.from_severity, log.to_severity), ("normal", "tightened"))
        self.assertEqual(log.reason, "normal_to_tightened")
        self.assertEqual(log.check_id.defect_count, 3)
        # the next receipt is inspected on tightened inspection
        _picking, check = self.lot(1)
        self.assertEqual(check.inspection_severity, "tightened")
        self.assertEqual((check.sample_size, check.accept_number, check.reject_number), (80, 1, 2))
        for _i in range(3):
            self.lot(0)
        self.assertEqual(switching.severity, "tightened")
        _picking, check = self.lot(1)  # fifth consecutive lot accepted
        self.assertEqual(switching.severity, "normal")
        self.assertEqual(self.last_log(switching).reason, "tightened_to_normal")
        self.assertEqual(self.last_log(switching).check_id, check)
        # the receipt shows the severity and its history with the reasons
        self.assertEqual(
            check.picking_id.med_switching_log_ids.mapped("reason"),
            ["tightened_to_normal", "normal_to_tightened"],
        )
        # another supplier has its own severity
        other = self.env["res.partner"].create({"name": "Other Pouches Inc"})
        self.assertEqual(
            self.env["med.quality.switching"]
            ._med_for(self.receipt_point, other, self.component)
            .severity,
            "normal",
        )
        # the history cannot be rewritten
        with self.assertRaises(UserError):
            self.last_log(switching).sudo().write({"reason": "resumed"})

    def test_switches_are_sealed_in_the_audit_trail(self):
        self.lot(3)
        _picking, check = self.lot(3)  # two of five not accepted: tightened
        log = check.switching_id.log_ids
        self.assertEqual(log.reason, "normal_to_tightened")
        chain = self.env["med.trail.chain"]
        entry = self.env["med.trail.chain.entry"].search(
            [("res_model", "=", log._name), ("res_id", "=", log.id)]
        )
        self.assertEqual(entry.chain, "audit_trail")

        def audit_trail():
            return next(r for r in chain._med_verify() if r["chain"] == "audit_trail")

        self.assertIsNone(audit_trail()["break"])
        # a database owner rewrites the switch behind the trigger: the chain reports it
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("ALTER TABLE med_quality_switching_log DISABLE TRIGGER USER")
        cr.execute(
            "UPDATE med_quality_switching_log SET reason = 'reduced_to_normal_manual' "
            "WHERE id = %s",
            [log.id],
        )
        cr.execute("ALTER TABLE med_quality_switching_log ENABLE TRIGGER USER")
        self.env.invalidate_all()
        failure = audit_trail()["break"]
        self.assertEqual((failure["model"], failure["res_id"]), (log._name, log.id))
        self.assertEqual(failure["problem"], "the sealed record was changed after it was written")

    def test_reduced_by_the_authority(self):
        _picking, check = self.lot(0)
        switching = check.switching_id
        switching.sudo().score = 30
        # an inspector is not the responsible authority
        with self.assertRaises(AccessError):
            switching.with_user(self.inspector).action_open_decision()
        with self.assertRaises(AccessError):
            switching.with_user(self.inspector).write({"severity": "reduced"})
        self.assertEqual(switching.severity, "normal")
        action = switching.with_user(self.manager).action_open_decision()
        Wizard = self.env["med.quality.switching.wizard"].with_user(self.manager)
        wizard = Wizard.with_context(**action["context"]).create({"note": "Supplier audit passed"})
        self.assertEqual(wizard.operation, "reduce")
        with self.assertRaisesRegex(UserError, "steady rate"):
            wizard.action_apply()
        wizard.production_steady = True
        wizard.action_apply()
        self.assertEqual(switching.severity, "reduced")
        self.assertEqual(self.last_log(switching).reason, "normal_to_reduced")
        self.assertEqual(self.last_log(switching).user_id, self.manager)
        self.assertEqual(self.last_log(switching).score, 30)
        _picking, check = self.lot(1)
        self.assertEqual(check.inspection_severity, "reduced")
        self.assertEqual((check.sample_size, check.accept_number), (32, 1))
        self.lot(2)  # a lot not accepted on reduced inspection
        self.assertEqual((switching.severity, switching.score), ("normal", 0))
        self.assertEqual(self.last_log(switching).reason, "reduced_to_normal")

    def test_discontinued_until_resumed(self):
        _picking, check = self.lot(0)
        switching = check.switching_id
        switching.sudo().write({"severity": "tightened", "tightened_not_accepted": 4})
        self.lot(2)
        self.assertEqual(switching.severity, "discontinued")
        self.assertEqual(self.last_log(switching).reason, "discontinued")
        picking, _lot = self.receive(self.component, "SW-STOP", 1000)
        check = picking.med_quality_check_ids.with_user(self.inspector)
        self.assertEqual(check.inspection_severity, "discontinued")
        with self.assertRaisesRegex(UserError, "discontinued"):
            check.action_pass()
        self.assertEqual(check.state, "todo")
        wizard = (
            self.env["med.quality.switching.wizard"]
            .with_user(self.manager)
            .create({"switching_id": switching.id, "note": "Supplier CAPA verified"})
        )
        self.assertEqual(wizard.operation, "resume")
        wizard.action_apply()
        self.assertEqual(switching.severity, "tightened")
        self.assertEqual(self.last_log(switching).note, "Supplier CAPA verified")

    def test_switching_needs_iso_sampling(self):
        with self.assertRaisesRegex(Exception, "ISO 2859-1 sampling"):
            self.receipt_point.write({"sampling": "fixed"})
