from odoo.tests import HttpCase, new_test_user, tagged

from .test_spc import BASELINE, MedSpcCommon


@tagged("post_install", "-at_install")
class TestSpcTour(HttpCase, MedSpcCommon):
    def test_spc_chart_tour(self):
        new_test_user(
            self.env,
            login="qr_spc_tour",
            name="Chart Reader",
            groups="med_quality_release.group_qa_inspector",
        )
        for value in BASELINE:
            self.measure(value)
        self.freeze()
        alert_check = self.measure(10.0)
        self.assertEqual(alert_check.lot_id.name, "SPC-0011")
        self.assertTrue(alert_check.spc_alert_ids)
        self.start_tour(
            f"/odoo/action-med_quality_release.action_med_quality_point/{self.point.id}",
            "med_quality_spc_tour",
            login="qr_spc_tour",
        )
