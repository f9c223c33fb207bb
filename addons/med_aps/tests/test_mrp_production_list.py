from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestMrpProductionListPlanning(TransactionCase):
    """The planning columns and the Late / Locked / Unplanned filters of the MO list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "List Filter Part"})
        deadline = fields.Datetime.now() + timedelta(days=3)
        cls.late, cls.on_time, cls.unplanned = cls.env["mrp.production"].create(
            [
                {"product_id": product.id, "product_qty": 1, "date_deadline": deadline}
                for _index in range(3)
            ]
        )
        (cls.late | cls.on_time | cls.unplanned).action_confirm()
        cls.late.write({"aps_planned": True, "aps_planned_finish": deadline + timedelta(hours=6)})
        cls.on_time.write(
            {
                "aps_planned": True,
                "aps_planned_finish": deadline - timedelta(hours=1),
                "aps_locked": True,
            }
        )
        cls.ours = cls.late | cls.on_time | cls.unplanned

    def _filter_domain(self, name):
        arch = self.env["mrp.production"].get_views([(False, "search")])["views"]["search"]["arch"]
        nodes = etree.fromstring(arch).xpath("//filter[@name='%s']" % name)
        self.assertEqual(len(nodes), 1, "filter %s is in the search view" % name)
        return safe_eval(nodes[0].get("domain"), {"uid": self.env.uid})

    def _filtered(self, name):
        return self.env["mrp.production"].search(
            [("id", "in", self.ours.ids)] + self._filter_domain(name)
        )

    def test_tardiness_is_computed(self):
        self.assertTrue(self.late.aps_is_late)
        self.assertAlmostEqual(self.late.aps_tardiness_hours, 6.0, places=2)
        self.assertFalse(self.on_time.aps_is_late)
        self.assertEqual(self.on_time.aps_tardiness_hours, 0.0)

    def test_filters(self):
        self.assertEqual(self._filtered("aps_late"), self.late)
        self.assertEqual(self._filtered("aps_locked"), self.on_time)
        self.assertEqual(self._filtered("aps_unplanned"), self.unplanned)
        # a late order that is done no longer shows as late
        self.late.action_cancel()
        self.assertFalse(self._filtered("aps_late"))
        self.assertNotIn(self.late, self._filtered("aps_unplanned"))

    def test_one_late_filter(self):
        """Odoo's two other "late" filters are hidden: the user sees one Late filter."""
        arch = self.env["mrp.production"].get_views([(False, "search")])["views"]["search"]["arch"]
        visible = [
            node.get("string")
            for node in etree.fromstring(arch).xpath("//filter")
            if node.get("invisible") not in ("1", "True") and node.get("string")
        ]
        late_like = [name for name in visible if "late" in name.lower() or "delay" in name.lower()]
        self.assertEqual(late_like, ["Late", "Late Availability"])

    def test_list_columns(self):
        arch = self.env["mrp.production"].get_views([(False, "list")])["views"]["list"]["arch"]
        columns = etree.fromstring(arch).xpath("//list/field")
        shown = [node.get("name") for node in columns if node.get("optional") != "hide"]
        for name in (
            "aps_planned_finish",
            "date_deadline",
            "aps_tardiness_display",
            "aps_late_reason_line",
        ):
            self.assertIn(name, shown)
        # the multi-line reason is not a list column: one line, full text in the tooltip
        self.assertNotIn("aps_late_reason", shown)
        self.assertEqual(self.env["mrp.production"]._fields["aps_late_reason_line"].type, "char")

    def test_tardiness_reads_with_its_unit(self):
        self.assertEqual(self.late.aps_tardiness_display, "6.0 h")
        self.assertFalse(self.on_time.aps_tardiness_display)
        deadline = self.late.date_deadline
        self.late.write({"aps_planned_finish": deadline + timedelta(days=3, hours=12)})
        self.assertEqual(self.late.aps_tardiness_display, "3.5 days")
        self.late.write({"aps_planned_finish": deadline + timedelta(minutes=20)})
        self.assertEqual(self.late.aps_tardiness_display, "20 min")
        # 14 h 8 min 59 s: 14.1 h, as the plan check says it (the stored hours, 14.15,
        # would read 14.2 h)
        late = timedelta(hours=14, minutes=8, seconds=59)
        self.late.write({"aps_planned_finish": deadline + late})
        self.assertEqual(self.late.aps_tardiness_hours, 14.15)
        self.assertEqual(self.late.aps_tardiness_display, "14.1 h")
        self.assertEqual(
            self.late.aps_tardiness_display,
            self.late._aps_format_duration(late.total_seconds() / 3600.0),
        )

    def test_late_reason_on_one_line(self):
        """The stored causes are worded in the reader's language, one line per cause; the
        list shows them on one line."""
        workcenter = self.env["mrp.workcenter"].create({"name": "Molding IM-09"})
        self.late.aps_late_causes = {
            "causes": [
                {
                    "kind": "bottleneck",
                    "workcenter_id": workcenter.id,
                    "workorder_id": None,
                    "ahead": 4,
                    "waited": 150,
                    "batches": False,
                },
                {"kind": "due_before_release"},
            ],
            "chain": [],
        }
        self.assertEqual(
            self.late.aps_late_reason,
            "Queues at Molding IM-09: ? waits 2.5 h behind 4 work orders.\n"
            "The due date is before its components arrive.",
        )
        self.assertEqual(
            self.late.aps_late_reason_line,
            "Queues at Molding IM-09: ? waits 2.5 h behind 4 work orders. · "
            "The due date is before its components arrive.",
        )
