from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestDhr(MedTraceCommon):
    def test_dhr_content(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("med_trace.action_report_dhr", self.lot_f1.ids)[0]
            .decode()
        )
        self.assertIn(self.mo_fin.name, html)
        self.assertIn("S1", html, "component lots are listed")
        self.assertIn('id="dhr_quality_section"', html)
        self.assertIn(self.bom_fin.display_name, html)

    def test_generate_and_freeze(self):
        self.lot_f1.action_med_generate_dhr()
        first = self.lot_f1.med_dhr_attachment_id
        self.assertTrue(first)
        self.assertTrue(self.lot_f1.med_dhr_date)
        self.assertEqual(self.lot_f1.med_dhr_version, 1)
        self.lot_f1._med_freeze_dhr()
        frozen = self.lot_f1.med_dhr_attachment_id
        self.assertNotEqual(frozen, first)
        self.assertTrue(self.lot_f1.med_dhr_frozen)
        with self.assertRaisesRegex(UserError, "is frozen"):
            self.lot_f1.action_med_generate_dhr()
        self.assertEqual(self.lot_f1.med_dhr_attachment_id, frozen, "frozen DHR kept")
        self.lot_f1._med_freeze_dhr()
        self.assertEqual(self.lot_f1.med_dhr_version, 3)
        self.assertTrue(frozen.exists(), "an earlier frozen version is never deleted")
        self.assertIn("supersedes version 2", self.lot_f1.message_ids[0].body)
