"""Approvals attacked over XML-RPC by the users of the weaker groups.

Every attack asserts the refusal message and that nothing changed: the request's state,
its signatures, the new BoM version still archived.
"""

from odoo.tests import tagged

from .common import MedChangeRpcCase


@tagged("post_install", "-at_install")
class TestChangeSecurity(MedChangeRpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.request = cls.new_request(cls)
        cls.new_bom = cls.prepare_new_version(cls, cls.request)
        cls.request.with_user(cls.engineer).action_submit()

    def snapshot(self):
        self.env.invalidate_all()
        return (
            self.request.state,
            self.request.engineering_signature_id,
            self.request.qa_signature_id,
            self.request.signature_ids.ids,
            self.new_bom.active,
            self.request.reason,
        )

    def test_inspector_and_manufacturing_user_cannot_approve(self):
        before = self.snapshot()
        for user in (self.inspector, self.mrp_user):
            with self.subTest(user=user.login):
                self.assertRefused(
                    "Only an Engineering approver can sign the engineering approval",
                    user,
                    "med.change.request",
                    "action_approve_engineering",
                    [self.request.id],
                )
                self.assertRefused(
                    "Only a QA Manager can sign the QA approval",
                    user,
                    "med.change.request",
                    "action_approve_quality",
                    [self.request.id],
                )
                # the wizard directly, choosing the role
                for role in ("engineering", "quality"):
                    self.assertRefused(
                        "Only",
                        user,
                        "med.change.sign.wizard",
                        "create",
                        {"change_id": self.request.id, "role": role, "comment": "ok"},
                    )
                # the system fields directly
                self.assertRefused(
                    "cannot be written by hand",
                    user,
                    "med.change.request",
                    "write",
                    [self.request.id],
                    {"state": "approved"},
                )
        self.assertEqual(self.snapshot(), before)

    def test_manufacturing_user_cannot_submit_or_prepare(self):
        draft = self.new_request()
        for method in ("action_submit", "action_compute_impact", "action_create_new_version"):
            with self.subTest(method=method):
                self.assertRefused(
                    "You are not allowed to modify",
                    self.mrp_user,
                    "med.change.request",
                    method,
                    [draft.id],
                )
        self.env.invalidate_all()
        self.assertEqual(draft.state, "draft")
        self.assertFalse(draft.new_bom_id or draft.impact_date or draft.impact_line_ids)

    def test_each_approver_signs_only_its_own_role(self):
        before = self.snapshot()
        self.assertRefused(
            "Only an Engineering approver",
            self.qa_manager,
            "med.change.sign.wizard",
            "create",
            {"change_id": self.request.id, "role": "engineering"},
        )
        self.assertRefused(
            "Only a QA Manager",
            self.engineer,
            "med.change.sign.wizard",
            "create",
            {"change_id": self.request.id, "role": "quality"},
        )
        # an author with write access cannot forge an approval or activate the version
        self.assertRefused(
            "cannot be written by hand",
            self.engineer,
            "med.change.request",
            "write",
            [self.request.id],
            {"state": "approved", "date_approved": "2026-01-01 00:00:00"},
        )
        self.assertRefused(
            "not by hand",
            self.engineer,
            "mrp.bom",
            "write",
            [self.new_bom.id],
            {"active": True},
        )
        self.assertEqual(self.snapshot(), before)

    def test_wrong_password_is_refused(self):
        before = self.snapshot()
        wizard_id = self.rpc(
            self.engineer,
            "med.change.sign.wizard",
            "create",
            {"change_id": self.request.id, "role": "engineering", "comment": "ok"},
        )
        for context in ({}, {"password": "wrong"}):
            self.assertRefused(
                "the password of Erik Engineer is not correct",
                self.engineer,
                "med.change.sign.wizard",
                "action_sign",
                [wizard_id],
                context=context,
            )
        self.assertEqual(self.snapshot(), before)

    def test_signed_approval_cannot_be_altered(self):
        wizard_id = self.rpc(
            self.engineer,
            "med.change.sign.wizard",
            "create",
            {"change_id": self.request.id, "role": "engineering", "comment": "Design reviewed"},
        )
        self.rpc(
            self.engineer,
            "med.change.sign.wizard",
            "action_sign",
            [wizard_id],
            context={"password": self.engineer.login},
        )
        self.env.invalidate_all()
        signature = self.request.engineering_signature_id
        self.assertEqual(signature.meaning, "change_engineering")
        self.assertTrue(signature.hash_valid)
        before = self.snapshot()
        self.assertRefused(
            "cannot be changed",
            self.engineer,
            "med.change.request",
            "write",
            [self.request.id],
            {"reason": "Rewritten after the signature"},
        )
        self.assertRefused(
            "cannot be written by hand",
            self.engineer,
            "med.change.request",
            "write",
            [self.request.id],
            {"engineering_signature_id": False},
        )
        self.assertRefused(
            "records are immutable",
            self.engineer,
            "med.signature",
            "write",
            [signature.id],
            {"comment": "Something else"},
        )
        self.assertRefused(
            "is already approved for this role",
            self.engineer,
            "med.change.request",
            "action_approve_engineering",
            [self.request.id],
        )
        self.assertRefused(
            "was submitted: it is kept as a record",
            self.engineer,
            "med.change.request",
            "unlink",
            [self.request.id],
        )
        self.assertEqual(self.snapshot(), before)
        self.assertTrue(signature.hash_valid)
        # sealed in the audit trail's hash chain, which still verifies
        self.assertTrue(
            self.env["med.trail.chain.entry"]
            .sudo()
            .search_count([("res_model", "=", "med.signature"), ("res_id", "=", signature.id)])
        )
        breaks = [result["break"] for result in self.env["med.trail.chain"]._med_verify()]
        self.assertEqual(breaks, [None] * len(breaks))
