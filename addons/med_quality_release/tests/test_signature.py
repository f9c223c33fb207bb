import hashlib
import json

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestSignature(MedQualityCommon):
    def setUp(self):
        super().setUp()
        _receipt, self.pouch = self.receive(self.component, "POUCH-SIG", 30)
        self.record_pass(self.pouch.med_check_ids)

    def _failed_attempts(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM med_signature_attempt WHERE user_login = %s AND res_ref = %s",
                ["qr_manager", self.pouch.id],
            )
            return cr.fetchone()[0]

    def test_wrong_password_refused_and_logged(self):
        before = self._failed_attempts()
        with mute_logger("odoo.addons.med_quality_release.models.med_signature_attempt"):
            with self.assertRaisesRegex(UserError, "password of Marta Manager is not correct"):
                self.sign(self.pouch, "release", password="not-my-password")
            with self.assertRaisesRegex(UserError, "password of Marta Manager is not correct"):
                self.sign(self.pouch, "release", password="")
        self.assertEqual(self.pouch.med_release_state, "quarantine")
        self.assertFalse(self.pouch.med_signature_ids)
        # logged through its own cursor: committed although the action failed
        self.assertEqual(self._failed_attempts(), before + 2)

    def test_comment_required(self):
        with self.assertRaisesRegex(UserError, "A comment is required"):
            self.sign(self.pouch, "release", comment="  ")
        self.assertEqual(self.pouch.med_release_state, "quarantine")

    def test_signature_content(self):
        self.sign(self.pouch, "release", comment="Incoming lot accepted")
        signature = self.pouch.med_release_signature_id
        self.assertEqual(signature.printed_name, "Marta Manager")
        self.assertEqual(signature.signer_tz, "Europe/Berlin")
        self.assertRegex(signature.signed_at_local, r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CET")
        self.assertEqual(
            hashlib.sha256(signature.content_json.encode()).hexdigest(), signature.content_hash
        )
        self.assertTrue(signature.hash_valid)
        content = json.loads(signature.content_json)
        self.assertEqual(content["lot"], "POUCH-SIG")
        self.assertEqual(content["meaning"], "released")
        self.assertEqual(content["checks"][0]["state"], "pass")
        self.assertEqual(
            signature.content_json,
            json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        )

    def test_password_at_every_signing(self):
        """No grace period: a second signing right after the first needs the password."""
        self.sign(self.pouch, "release")
        with mute_logger("odoo.addons.med_quality_release.models.med_signature_attempt"):
            with self.assertRaisesRegex(UserError, "not correct"):
                self.sign(self.pouch, "reject", password=False)
        self.assertEqual(self.pouch.med_release_state, "released")
        self.sign(self.pouch, "reject", comment="Recall after release")
        self.assertEqual(self.pouch.med_release_state, "rejected")
        self.assertEqual(len(self.pouch.med_signature_ids), 2)

    def test_signature_immutable_orm(self):
        self.sign(self.pouch, "release")
        signature = self.pouch.med_release_signature_id
        log = self.pouch.med_release_log_ids[:1]
        admin = self.env.ref("base.user_admin")
        for record in (signature, log):
            for env_record in (
                record.with_user(admin),
                record.sudo(),
                record.with_user(self.manager),
                # no context key or mode opens a way, whatever an RPC caller sends
                record.sudo().with_context(install_mode=True, module="med_quality_release"),
                record.sudo().with_context(
                    tracking_disable=True, force_write=True, _force_unlink=True
                ),
            ):
                with self.assertRaisesRegex(UserError, "immutable"):
                    env_record.write({"create_date": "2020-01-01 00:00:00"})
                with self.assertRaisesRegex(UserError, "immutable"):
                    env_record.unlink()
        self.assertTrue(signature.exists())
        self.assertEqual(signature.comment, "Reviewed the records")

    def test_signature_immutable_sql(self):
        self.sign(self.pouch, "release")
        signature = self.pouch.med_release_signature_id
        log = self.pouch.med_release_log_ids[:1]
        self.env.flush_all()
        statements = [
            ("UPDATE med_signature SET comment = 'forged' WHERE id = %s", signature.id),
            ("DELETE FROM med_signature WHERE id = %s", signature.id),
            ("UPDATE med_lot_release_log SET new_state = 'released' WHERE id = %s", log.id),
            ("DELETE FROM med_lot_release_log WHERE id = %s", log.id),
            ("UPDATE med_signature_attempt SET reason = 'x' WHERE id = %s", 0),
        ]
        for query, record_id in statements:
            with self.subTest(query=query):
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(psycopg2.Error) as error,
                    self.env.cr.savepoint(),
                ):
                    self.env.cr.execute(query, [record_id])
                    if "attempt" in query:  # no row matched: prove the trigger with TRUNCATE
                        self.env.cr.execute("TRUNCATE med_signature_attempt")
                self.assertIn("immutable", str(error.exception))
        self.env.cr.execute("SELECT comment FROM med_signature WHERE id = %s", [signature.id])
        self.assertEqual(self.env.cr.fetchone()[0], "Reviewed the records")

    def test_dhr_and_coc_show_signature(self):
        self.sign(self.pouch, "release", comment="Released for production")
        signature = self.pouch.med_release_signature_id
        dhr, _type = self.env["ir.actions.report"]._render_qweb_html(
            "med_trace.action_report_dhr", self.pouch.ids
        )
        self.assertIn(signature.content_hash, dhr.decode())
        self.assertIn("Pouch visual inspection", dhr.decode())
        coc, _type = self.env["ir.actions.report"]._render_qweb_html(
            "med_quality_release.action_report_coc", self.pouch.ids
        )
        self.assertIn("Certificate of Conformance", coc.decode())
        self.assertIn(signature.content_hash, coc.decode())
        self.assertIn("Marta Manager", coc.decode())

    def test_meaning_follows_action(self):
        """A meaning given by the caller is ignored: release signs 'released'."""
        wizard = (
            self.env["med.signature.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "action": "release",
                    "res_model": "stock.lot",
                    "res_id": self.pouch.id,
                    "meaning": "reviewed",
                    "comment": "Released under another meaning?",
                }
            )
        )
        self.assertEqual(wizard.meaning, "released")
        wizard.with_context(password=self.MANAGER_PASSWORD).action_sign()
        signature = self.pouch.med_release_signature_id
        self.assertEqual(signature.meaning, "released")
        self.assertEqual(json.loads(signature.content_json)["meaning"], "released")
        self.sign(self.pouch, "reject", comment="Recall")
        self.assertEqual(self.pouch.med_signature_ids.sorted("id")[-1].meaning, "rejected")

    def test_unknown_meaning_refused(self):
        with self.assertRaisesRegex(UserError, "Unknown signature meaning approved"):
            self.env["med.signature"].with_user(self.manager)._med_sign(
                self.pouch, "approved", "comment", {}
            )
        self.assertFalse(self.pouch.med_signature_ids)
