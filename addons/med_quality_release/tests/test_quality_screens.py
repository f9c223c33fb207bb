from datetime import timedelta

from lxml import etree, html

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestQualityScreens(MedQualityCommon):
    """What QA reads first: checks that need action, lots to release with what they wait for."""

    def _action_records(self, xmlid, model):
        """Records the menu action shows with its default filters, as the web client would."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = safe_eval(action.get("context") or "{}")
        arch = etree.fromstring(
            self.env[model].get_views([(False, "search")])["views"]["search"]["arch"]
        )
        domain = []
        for key, value in context.items():
            if key.startswith("search_default_") and value:
                [node] = arch.xpath(f"//filter[@name='{key[len('search_default_') :]}']")
                domain += safe_eval(node.get("domain"))
        return self.env[model].search(domain)

    def test_failed_checks_stay_in_sight_until_reinspected(self):
        _receipt, waiting = self.receive(self.component, "POUCH-WAIT", 10)
        _receipt, failed = self.receive(self.component, "POUCH-FAIL", 10)
        _receipt, passed = self.receive(self.component, "POUCH-PASS", 10)
        failed.med_check_ids.with_user(self.inspector).write({"defect_count": 1})
        failed.med_check_ids.with_user(self.inspector).action_fail()
        self.record_pass(passed.med_check_ids)
        shown = self._action_records(
            "med_quality_release.action_med_quality_check", "med.quality.check"
        )
        self.assertIn(waiting.med_check_ids, shown)
        self.assertIn(failed.med_check_ids, shown, "a failed check waits for re-inspection")
        self.assertNotIn(passed.med_check_ids, shown)

        nc = failed.med_check_ids.nonconformance_ids
        nc.with_user(self.manager).write({"disposition": "rework"})
        self.sign(nc, "close_nc", comment="Reworked")
        action = failed.med_check_ids.with_user(self.inspector).action_retest()
        retest = self.env["med.quality.check"].browse(action["res_id"])
        shown = self._action_records(
            "med_quality_release.action_med_quality_check", "med.quality.check"
        )
        self.assertNotIn(failed.med_check_ids.filtered("superseded_by_id"), shown)
        self.assertIn(retest, shown)

    def test_lots_to_release_show_what_how_much_and_by_when(self):
        _receipt, pouch = self.receive(self.component, "POUCH-DUE", 25)
        self.assertEqual(pouch.med_release_decision, "quarantine")
        self.assertEqual(
            pouch.med_release_due_date, pouch.med_quarantine_date + timedelta(minutes=180)
        )
        self.assertFalse(pouch.med_release_overdue)
        self.category.med_release_lead_minutes = 0
        self.assertEqual(pouch.med_release_due_date, pouch.med_quarantine_date)

        shown = self._action_records("med_quality_release.action_med_lot_quarantine", "stock.lot")
        self.assertIn(pouch, shown)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "med_quality_release.action_med_lot_quarantine"
        )
        list_view = self.env.ref("med_quality_release.view_med_lot_release_list")
        self.assertEqual(list(action["views"][0]), [list_view.id, "list"])
        arch = etree.fromstring(
            self.env["stock.lot"].get_views([(list_view.id, "list")])["views"]["list"]["arch"]
        )
        columns = [node.get("name") for node in arch.xpath("//list/field")]
        for name in ("product_qty", "med_release_due_date", "med_release_blockers"):
            self.assertIn(name, columns)
        self.assertIn("check 'Pouch visual inspection' (To Do)", pouch.med_release_blockers)
        self.assertEqual(pouch.product_qty, 25)

        self.record_pass(pouch.med_check_ids)
        self.sign(pouch, "release")
        self.assertFalse(pouch.med_release_due_date, "a released lot is due no more")
        self.assertNotIn(
            pouch,
            self._action_records("med_quality_release.action_med_lot_quarantine", "stock.lot"),
        )

    def test_report_headings_stay_with_their_content(self):
        _receipt, pouch = self.receive(self.component, "POUCH-PRINT", 5)
        report = self.env["ir.actions.report"]
        for xmlid in ("med_trace.action_report_dhr", "med_quality_release.action_report_coc"):
            document = html.fromstring(report._render_qweb_html(xmlid, pouch.ids)[0])
            headings = document.xpath(
                "//div[contains(@class, 'page')]//h3 | //div[contains(@class, 'page')]//h4"
            )
            self.assertTrue(headings, xmlid)
            for heading in headings:
                section = heading.getparent()
                # a heading opens a section printed on one page with what follows it
                self.assertIn(
                    "o_med_keep_together", section.get("class", ""), heading.text_content()
                )
                self.assertIn("page-break-inside: avoid", section.get("style", ""))
                self.assertIs(section[0], heading)
                self.assertGreater(len(section), 1, heading.text_content())
