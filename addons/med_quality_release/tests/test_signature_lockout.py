"""Password re-entry at signing is throttled like Odoo's login (21 CFR 11.300(d))."""

import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.med_signature_attempt import DEFAULT_COOLDOWN_AFTER, MedSignatureAttempt
from .common import MedQualityCommon

ATTEMPT_LOGGER = "odoo.addons.med_quality_release.models.med_signature_attempt"


@tagged("post_install", "-at_install")
class TestSignatureLockout(MedQualityCommon):
    def setUp(self):
        super().setUp()
        _receipt, self.pouch = self.receive(self.component, "POUCH-LOCK", 30)
        self.record_pass(self.pouch.med_check_ids)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("base.login_cooldown_after", 5)
        params.set_param("base.login_cooldown_duration", 60)
        # a signer of its own: failed attempts are committed and outlive the test
        self.signer = new_test_user(
            self.env,
            login=f"qr_lock_{self.pouch.id}",
            name="Lara Locked",
            password=self.MANAGER_PASSWORD,
            groups="med_quality_release.group_qa_manager,mrp.group_mrp_user,"
            "stock.group_stock_manager",
        )

    def attempts(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT failure_type, count(*) FROM med_signature_attempt "
                "WHERE user_ref = %s GROUP BY failure_type",
                [self.signer.id],
            )
            return dict(cr.fetchall())

    def test_right_password_refused_during_cooldown(self):
        start = fields.Datetime.now()
        notify = MedSignatureAttempt._med_notify_repeated_failures
        with (
            freeze_time(start),
            mute_logger(ATTEMPT_LOGGER),
            patch.object(
                MedSignatureAttempt,
                "_med_notify_repeated_failures",
                autospec=True,
                side_effect=notify,
            ) as notified,
        ):
            for attempt in range(25):
                expected = "is not correct" if attempt < 5 else "signing is locked for Lara"
                with self.subTest(attempt=attempt), self.assertRaisesRegex(UserError, expected):
                    self.sign(
                        self.pouch, "release", password="guess-%d" % attempt, user=self.signer
                    )
            with self.assertRaisesRegex(UserError, r"signing is locked .* Try again in 60 seconds"):
                self.sign(self.pouch, "release", user=self.signer)
        self.assertEqual(self.pouch.med_release_state, "quarantine")
        self.assertFalse(self.pouch.med_signature_ids)
        self.assertEqual(self.attempts(), {"password": 5, "locked": 21})
        # the QA Managers were notified once, when the fifth wrong password was logged
        self.assertEqual(notified.call_count, 1)
        values, failures = notified.call_args.args[1:]
        self.assertEqual((values["user_login"], failures), (self.signer.login, 5))

        with freeze_time(start + datetime.timedelta(seconds=59)), mute_logger(ATTEMPT_LOGGER):
            with self.assertRaisesRegex(UserError, "Try again in 1 seconds"):
                self.sign(self.pouch, "release", user=self.signer)
        with freeze_time(start + datetime.timedelta(seconds=61)):
            self.sign(self.pouch, "release", user=self.signer)
        self.assertEqual(self.pouch.med_release_state, "released")
        self.assertEqual(self.pouch.med_release_signature_id.signer_id, self.signer)

    def test_lockout_cannot_be_disabled(self):
        """Odoo's ``base.login_cooldown_after = 0`` disables the login cooldown, not this one."""
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", 0)
        with mute_logger(ATTEMPT_LOGGER):
            for _attempt in range(DEFAULT_COOLDOWN_AFTER):
                with self.assertRaisesRegex(UserError, "is not correct"):
                    self.sign(self.pouch, "release", password="guess", user=self.signer)
            with self.assertRaisesRegex(UserError, "signing is locked"):
                self.sign(self.pouch, "release", user=self.signer)
        self.assertEqual(self.pouch.med_release_state, "quarantine")

    def test_a_signature_resets_the_count(self):
        with mute_logger(ATTEMPT_LOGGER):
            for _attempt in range(4):
                with self.assertRaisesRegex(UserError, "is not correct"):
                    self.sign(self.pouch, "release", password="guess", user=self.signer)
        self.sign(self.pouch, "release", user=self.signer)
        with mute_logger(ATTEMPT_LOGGER):
            for _attempt in range(4):
                with self.assertRaisesRegex(UserError, "is not correct"):
                    self.sign(self.pouch, "reject", password="guess", user=self.signer)
        self.sign(self.pouch, "reject", comment="Recall", user=self.signer)
        self.assertEqual(self.pouch.med_release_state, "rejected")

    def test_qa_managers_notified(self):
        values = {
            "user_login": self.signer.login,
            "user_name": self.signer.name,
            "record_name": self.pouch.display_name,
            "remote_addr": "203.0.113.7",
        }
        messages_before = self.env["mail.message"].search([]).ids
        self.env["med.signature.attempt"]._med_notify_repeated_failures(values, 5)
        message = self.env["mail.message"].search([("id", "not in", messages_before)])
        self.assertEqual(len(message), 1)
        self.assertIn(self.manager.partner_id, message.partner_ids)
        self.assertIn(self.signer.partner_id, message.partner_ids)
        self.assertNotIn(self.inspector.partner_id, message.partner_ids)
        self.assertIn(self.signer.login, message.subject)
        self.assertIn("5 failed electronic signature attempts by Lara Locked", message.body)
        self.assertIn("203.0.113.7", message.body)
