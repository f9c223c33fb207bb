import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestUninstallGuard(MedQualityCommon):
    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        self.Module = self.env["ir.module.module"].with_user(self.admin)
        self.module = self.Module.search([("name", "=", "med_quality_release")])
        self.signatures_before = self.env["med.signature"].sudo().search_count([])

    def test_uninstall_refused_while_signatures_exist(self):
        _receipt, pouch = self.receive(self.component, "POUCH-UNINST", 10)
        self.record_pass(pouch.med_check_ids)
        self.sign(pouch, "release")
        signature = pouch.med_release_signature_id
        count = self.signatures_before + 1
        # directly, or through a module it depends on
        for name in ("med_quality_release", "med_trace"):
            module = self.Module.search([("name", "=", name)])
            with (
                self.subTest(module=name),
                self.assertRaisesRegex(
                    UserError,
                    rf"cannot be uninstalled: the database holds {count} electronic signatures"
                    r".*Archive them first: .*med_audit_verify.*pg_dump",
                ),
            ):
                module.button_uninstall()
        with self.assertRaisesRegex(UserError, "cannot be uninstalled"):
            self.module.module_uninstall()
        self.assertEqual(self.module.state, "installed")
        self.assertEqual(self.Module.search([("name", "=", "med_trace")]).state, "installed")
        self.assertTrue(signature.exists())

    def _forget_signatures(self):
        """A database without signatures: the demo's are removed inside this test's
        transaction (rolled back after it), bypassing their immutability triggers and
        references, which needs a superuser role."""
        cr = self.env.cr
        try:
            with cr.savepoint():
                cr.execute("SET LOCAL session_replication_role = replica")
                cr.execute("DELETE FROM med_signature")
                cr.execute("SET LOCAL session_replication_role = origin")
        except psycopg2.Error:
            self.skipTest("the database holds signatures and this role cannot remove them")
        self.env.invalidate_all()

    def test_uninstall_allowed_without_signatures(self):
        if self.signatures_before:
            self._forget_signatures()
        self.assertFalse(self.env["med.signature"].sudo().search_count([]))
        self.module.button_uninstall()
        self.assertEqual(self.module.state, "to remove")
