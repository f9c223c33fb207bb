"""Signatures, their meaning, the password and the hash chains attacked over XML-RPC.

Every attack asserts the refusal message, that the data did not change and that
the audit trail (signatures, release log, hash chains) is intact.
"""

import json

from odoo.tests import tagged

from .common import MedQualityRpcCase


@tagged("post_install", "-at_install")
class TestSecuritySignature(MedQualityRpcCase):
    def setUp(self):
        super().setUp()
        _receipt, self.pouch = self.receive(self.component, "POUCH-RPC", 10)
        self.record_pass(self.pouch.med_check_ids)

    def trail(self):
        """Signatures, release log and chain entries of the database, and the verification."""
        self.env.invalidate_all()
        return (
            self.env["med.signature"].sudo().search([]).ids,
            self.env["med.lot.release.log"].sudo().search([]).ids,
            self.env["med.trail.chain.entry"].sudo().search([]).ids,
            [result["break"] for result in self.env["med.trail.chain"]._med_verify()],
        )

    def lot_state(self):
        self.env.invalidate_all()
        return (
            self.pouch.med_release_decision,
            self.pouch.med_release_signature_id,
            self.pouch.med_signature_ids.ids,
        )

    def wizard_values(self, **values):
        return dict(
            {
                "action": "reject",
                "res_model": "stock.lot",
                "res_id": self.pouch.id,
                "comment": "Rejected over RPC",
            },
            **values,
        )

    def test_meaning_cannot_be_chosen_over_rpc(self):
        wizard_id = self.rpc(
            self.manager,
            "med.signature.wizard",
            "create",
            self.wizard_values(meaning="released"),
        )
        self.rpc(
            self.manager,
            "med.signature.wizard",
            "action_sign",
            [wizard_id],
            context={"password": self.MANAGER_PASSWORD},
        )
        self.env.invalidate_all()
        signature = self.pouch.med_signature_ids
        self.assertEqual(signature.meaning, "rejected")
        self.assertEqual(json.loads(signature.content_json)["meaning"], "rejected")
        self.assertEqual(self.pouch.med_release_decision, "rejected")
        self.assertEqual(
            [result["break"] for result in self.env["med.trail.chain"]._med_verify()], [None, None]
        )

    def test_password_cannot_be_skipped_over_rpc(self):
        before, trail = self.lot_state(), self.trail()
        wizard_id = self.rpc(self.manager, "med.signature.wizard", "create", self.wizard_values())
        for context in (None, {}, {"password": ""}, {"password": False}, {"password": "wrong"}):
            with self.subTest(context=context):
                self.assertRefused(
                    "the password of Marta Manager is not correct",
                    self.manager,
                    "med.signature.wizard",
                    "action_sign",
                    [wizard_id],
                    context=context,
                )
        for method in ("_med_sign_record", "_med_sign", "_med_apply_signature"):
            with self.subTest(method=method):
                self.assertRefused(
                    "cannot be called remotely",
                    self.manager,
                    "med.signature.wizard" if method == "_med_sign_record" else "stock.lot",
                    method,
                    [wizard_id if method == "_med_sign_record" else self.pouch.id],
                )
        self.assertEqual(self.lot_state(), before)
        self.assertEqual(self.trail(), trail)

    def test_weaker_users_cannot_sign(self):
        before, trail = self.lot_state(), self.trail()
        for user in (self.inspector, self.stock_user):
            with self.subTest(user=user.login):
                self.assertRefused(
                    "You are not allowed to create",
                    user,
                    "med.signature.wizard",
                    "create",
                    self.wizard_values(),
                )
                self.assertRefused(
                    "Only a QA Manager can release or reject lots",
                    user,
                    "stock.lot",
                    "action_med_quality_reject",
                    [self.pouch.id],
                )
                self.assertRefused(
                    "You are not allowed to create",
                    user,
                    "med.signature",
                    "create",
                    {
                        "res_model": "stock.lot",
                        "res_id": self.pouch.id,
                        "record_name": "x",
                        "company_id": self.company.id,
                        "signer_id": self.manager.id,
                        "printed_name": "Marta Manager",
                        "signed_at": "2026-01-01 00:00:00",
                        "signer_tz": "UTC",
                        "signed_at_local": "x",
                        "meaning": "released",
                        "comment": "forged",
                        "content_json": "{}",
                        "content_hash": "0" * 64,
                    },
                )
        self.assertEqual(self.lot_state(), before)
        self.assertEqual(self.trail(), trail)

    def test_hash_chains_cannot_be_written_or_verified_by_weaker_users(self):
        trail = self.trail()
        entry_values = {
            "chain": "audit_trail",
            "seq": 1,
            "res_model": "stock.lot",
            "res_id": self.pouch.id,
            "prev_hash": "0" * 64,
            "entry_hash": "0" * 64,
        }
        for user in (self.manager, self.inspector):
            with self.subTest(user=user.login):
                self.assertRefused(
                    "You are not allowed to create",
                    user,
                    "med.trail.chain.entry",
                    "create",
                    entry_values,
                )
                self.assertRefused(
                    "cannot be called remotely",
                    user,
                    "med.trail.chain",
                    "_med_seal_unchained",
                )
        chain_ids = self.env["med.trail.chain"].search([]).ids
        self.assertRefused(
            "You are not allowed to modify",
            self.manager,
            "med.trail.chain",
            "write",
            chain_ids,
            {"seq": 0},
        )
        for user in (self.inspector, self.stock_user):
            with self.subTest(user=user.login):
                self.assertRefused(
                    "Only a QA Manager can verify the audit trail hash chains",
                    user,
                    "med.trail.chain",
                    "action_med_verify",
                )
                self.assertRefused(
                    "You are not allowed to access",
                    user,
                    "med.trail.chain.entry",
                    "search_read",
                    [],
                )
        action = self.rpc(self.manager, "med.trail.chain", "action_med_verify")
        [verification] = self.rpc(
            self.manager,
            "med.trail.chain.verification",
            "read",
            [action["res_id"]],
            ["intact", "report"],
        )
        self.assertTrue(verification["intact"], verification["report"])
        self.assertEqual(self.trail(), trail)
