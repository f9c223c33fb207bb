from datetime import date, datetime, timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestWorkcenterLoad(TransactionCase):
    """The work center load report counts working hours only, per local day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Load test calendar",
                "tz": "UTC",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": "Day %s %s" % (day, period),
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )
        cls.press = env["mrp.workcenter"].create(
            {"name": "Load Test Press", "resource_calendar_id": cls.calendar.id}
        )
        cls.oven = env["mrp.workcenter"].create(
            {
                "name": "Load Test Oven",
                "resource_calendar_id": cls.calendar.id,
                "aps_parallel_capacity": 2,
            }
        )
        cls.product = env["product.product"].create({"name": "Load Test Part"})
        cls.bom = env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create(
                        {"name": "Press", "workcenter_id": cls.press.id, "time_cycle_manual": 60}
                    ),
                    Command.create(
                        {"name": "Bake", "workcenter_id": cls.oven.id, "time_cycle_manual": 60}
                    ),
                ],
            }
        )
        # a Monday far enough in the future to be free of other data
        today = date.today()
        cls.monday = today + timedelta(days=7 - today.weekday() + 7 * 52)

    def _production(self):
        production = self.env["mrp.production"].create(
            {"product_id": self.product.id, "product_qty": 1, "bom_id": self.bom.id}
        )
        production.action_confirm()
        return production

    def _at(self, day_offset, hour, minute=0):
        day = self.monday + timedelta(days=day_offset)
        return datetime(day.year, day.month, day.day, hour, minute)

    def _load(self, workcenter, day_offset):
        self.env.flush_all()
        rows = self.env["med.aps.workcenter.load"].search(
            [
                ("workcenter_id", "=", workcenter.id),
                ("date", "=", self.monday + timedelta(days=day_offset)),
            ]
        )
        self.assertEqual(len(rows), 1, "one row per work center and day")
        return rows

    def test_working_hours_only(self):
        production = self._production()
        press_wo = production.workorder_ids.filtered(lambda w: w.workcenter_id == self.press)
        # 10:00 Monday -> 10:00 Tuesday: 2 + 4 working hours on Monday, 2 on Tuesday
        press_wo.with_context(bypass_duration_calculation=True).write(
            {"date_start": self._at(0, 10), "date_finished": self._at(1, 10)}
        )
        monday = self._load(self.press, 0)
        self.assertAlmostEqual(monday.planned_hours, 6.0, places=2)
        self.assertAlmostEqual(monday.available_hours, 8.0, places=2)
        self.assertAlmostEqual(monday.free_hours, 2.0, places=2)
        self.assertAlmostEqual(monday.load_percent, 75.0, places=1)
        self.assertEqual(monday.workorder_count, 1)
        tuesday = self._load(self.press, 1)
        self.assertAlmostEqual(tuesday.planned_hours, 2.0, places=2)
        self.assertAlmostEqual(tuesday.load_percent, 25.0, places=1)
        # the oven has nothing planned but two units: 16 available hours
        oven = self._load(self.oven, 0)
        self.assertAlmostEqual(oven.planned_hours, 0.0, places=2)
        self.assertAlmostEqual(oven.available_hours, 16.0, places=2)
        self.assertEqual(oven.workorder_count, 0)

    def test_batch_cycle_counts_once_and_leaves_reduce_availability(self):
        first, second = self._production(), self._production()
        ovens = (first | second).workorder_ids.filtered(lambda w: w.workcenter_id == self.oven)
        ovens.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": self._at(2, 8),
                "date_finished": self._at(2, 11),
                "aps_batch_ref": "TEST/BATCH-1",
            }
        )
        # a closing afternoon for the whole calendar on that Wednesday
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Closed afternoon",
                "calendar_id": self.calendar.id,
                "date_from": self._at(2, 13),
                "date_to": self._at(2, 17),
                "time_type": "leave",
            }
        )
        wednesday = self._load(self.oven, 2)
        self.assertAlmostEqual(wednesday.planned_hours, 3.0, places=2, msg="one shared cycle")
        self.assertEqual(wednesday.workorder_count, 2)
        # 4 working hours left (morning) on two units
        self.assertAlmostEqual(wednesday.available_hours, 8.0, places=2)
        self.assertAlmostEqual(wednesday.load_percent, 37.5, places=1)

    def _filtered(self, filter_name):
        """Rows of this test's work centers kept by a filter of the report's search view."""
        self.env.flush_all()
        view = self.env.ref("med_aps.med_aps_workcenter_load_view_search")
        arch = etree.fromstring(view.arch)
        node = arch.find(".//filter[@name='%s']" % filter_name)
        domain = safe_eval(node.get("domain"))
        return self.env["med.aps.workcenter.load"].search(
            domain + [("workcenter_id", "in", (self.press | self.oven).ids)]
        )

    def test_overload_and_done_work_orders(self):
        first, second = self._production(), self._production()
        presses = (first | second).workorder_ids.filtered(lambda w: w.workcenter_id == self.press)
        presses.with_context(bypass_duration_calculation=True).write(
            {"date_start": self._at(3, 8), "date_finished": self._at(3, 17)}
        )
        thursday = self._load(self.press, 3)
        self.assertAlmostEqual(thursday.planned_hours, 16.0, places=2)
        self.assertAlmostEqual(thursday.free_hours, -8.0, places=2)
        # the search view's filters, as the user clicks them
        overloaded = self._filtered("overloaded")
        self.assertEqual(overloaded, thursday)
        # Friday is exactly full (8 of 8 h): fully loaded, not overloaded
        ovens = (first | second).workorder_ids.filtered(lambda w: w.workcenter_id == self.oven)
        ovens.with_context(bypass_duration_calculation=True).write(
            {"date_start": self._at(4, 8), "date_finished": self._at(4, 17)}
        )
        friday_oven = self._load(self.oven, 4)
        self.assertAlmostEqual(friday_oven.free_hours, 0.0, places=2)
        self.assertEqual(self._filtered("overloaded"), thursday)
        self.assertEqual(self._filtered("fully_loaded"), thursday | friday_oven)
        # cancelled work orders no longer load the work center
        second.action_cancel()
        thursday = self._load(self.press, 3)
        self.assertAlmostEqual(thursday.planned_hours, 8.0, places=2)

    def test_timeline_working_intervals(self):
        """The timeline shades what the calendar closes: lunch, nights, the weekend, leaves."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Press maintenance",
                "calendar_id": self.calendar.id,
                "resource_id": self.press.resource_id.id,
                "date_from": self._at(1, 8),
                "date_to": self._at(1, 12),
            }
        )
        hours = self.env["mrp.workcenter"].aps_timeline_working_intervals(
            (self.press | self.oven).ids, self._at(0, 0), self._at(2, 0)
        )

        def spans(workcenter):
            return [tuple(span) for span in hours[str(workcenter.id)]]

        monday = [("%s 08:00:00", "%s 12:00:00"), ("%s 13:00:00", "%s 17:00:00")]
        first, second = (str(self.monday + timedelta(days=d)) for d in (0, 1))
        expected_oven = [(a % first, b % first) for a, b in monday] + [
            (a % second, b % second) for a, b in monday
        ]
        self.assertEqual(spans(self.oven), expected_oven)
        # the press is in maintenance on Tuesday morning
        self.assertEqual(spans(self.press), expected_oven[:2] + expected_oven[3:])
        with self.assertRaises(UserError):
            self.env["mrp.workcenter"].aps_timeline_working_intervals(
                self.press.ids, self._at(1, 0), self._at(0, 0)
            )

    def test_timeline_opens_on_the_next_two_weeks(self):
        """The timeline reads the work orders starting within two weeks by default (a
        plant's whole plan is too many to draw), including those that started before."""
        action = self.env.ref("med_aps.mrp_workorder_action_timeline_aps")
        context = safe_eval(action.context)
        self.assertTrue(context.get("search_default_aps_next_two_weeks"))
        search = self.env["mrp.workorder"].get_views([(action.search_view_id.id, "search")])
        arch = etree.fromstring(search["views"]["search"]["arch"])
        node = arch.find(".//filter[@name='aps_next_two_weeks']")
        self.assertIsNotNone(node, "the timeline's search view has the filter")
        now = datetime.now().replace(microsecond=0)
        starts = {
            "yesterday": now - timedelta(days=1),
            "in 13 days": now + timedelta(days=13),
            "in 16 days": now + timedelta(days=16),
        }
        workorders = {}
        for label, start in starts.items():
            workorder = self._production().workorder_ids[0]
            workorder.with_context(bypass_duration_calculation=True).write(
                {"date_start": start, "date_finished": start + timedelta(hours=2)}
            )
            workorders[label] = workorder
        self.env.flush_all()
        shown = self.env["mrp.workorder"].search(
            safe_eval(action.domain)
            + safe_eval(node.get("domain"))
            + [("id", "in", [wo.id for wo in workorders.values()])]
        )
        self.assertEqual(shown, workorders["yesterday"] | workorders["in 13 days"])

    def test_report_reads_run_without_jit(self):
        """PostgreSQL's JIT compiled the report's query for longer than it ran: reading the
        report turns it off for the transaction, whatever the server's setting."""
        # the report spans the days of the planned work: some of its own, not another
        # test's or the demo data's
        press_wo = self._production().workorder_ids.filtered(
            lambda w: w.workcenter_id == self.press
        )
        press_wo.with_context(bypass_duration_calculation=True).write(
            {"date_start": self._at(0, 10), "date_finished": self._at(0, 11)}
        )
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL jit = on")
        groups = self.env["med.aps.workcenter.load"]._read_group(
            [("workcenter_id", "in", (self.press | self.oven).ids)],
            ["workcenter_id"],
            ["available_hours:sum"],
        )
        self.env.cr.execute("SHOW jit")
        self.assertEqual(self.env.cr.fetchone()[0], "off")
        available = dict(groups)
        self.assertGreater(available[self.oven], 0.0)
