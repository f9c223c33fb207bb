from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsPanorama(MedApsCommon):
    """The production panorama's data: orders by priority then deadline with lateness and
    material, work in progress and load per work center, the latest run."""

    def test_panorama_of_a_planned_plant(self):
        urgent = self._create_mo(self.catheter_a, self.bom_a, deadline_days=6, priority="1")
        soon = self._create_mo(self.catheter_b, self.bom_b, deadline_days=1)
        later = self._create_mo(self.catheter_a, self.bom_a, deadline_days=9)
        productions = urgent | soon | later
        run = self._run(productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        # one work order is running, and past the end the plan gave it
        started = soon.workorder_ids.sorted("sequence")[0]
        started.button_start()
        now = fields.Datetime.now()
        started.with_context(bypass_duration_calculation=True).write(
            {"date_start": now - timedelta(hours=2), "date_finished": now - timedelta(hours=1)}
        )

        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        data = self.env["med.aps.panorama"].with_user(self.aps_user).get_panorama(days=7)
        # each order with its banner; a problem leads to its work order
        overrun = check.issue_ids.filtered(lambda issue: issue.workorder_id == started)
        self.assertTrue(overrun)
        for row in data["orders"]:
            production = productions.browse(row["id"])
            self.assertEqual(row["problems"], production.aps_plan_issue_note or "")
        soon_row = next(row for row in data["orders"] if row["id"] == soon.id)
        self.assertIn(started.workcenter_id.name, soon_row["problems"])
        self.assertIn(started.id, [issue["workorder_id"] for issue in data["health"]["issues"]])
        # the latest plan check, counted by kind
        self.assertEqual(data["health"]["count"], check.issue_count)
        self.assertEqual(sum(k["count"] for k in data["health"]["kinds"]), check.issue_count)
        summary = data["summary"]
        self.assertEqual(summary["open"], len(productions))
        self.assertEqual(summary["late"], len(productions.filtered("aps_is_late")))
        self.assertEqual(summary["in_progress"], 1)
        self.assertEqual(summary["unplanned"], 0)
        # the starred order first, then by deadline
        self.assertEqual([row["id"] for row in data["orders"]], [urgent.id, soon.id, later.id])
        row = data["orders"][1]
        self.assertEqual(row["name"], soon.name)
        self.assertEqual(row["workorders"], len(soon.workorder_ids))
        self.assertEqual(row["running_at"], started.workcenter_id.name)
        self.assertEqual(row["material_state"], soon.components_availability_state)
        # lateness in the words of the order's list
        soon.date_deadline = soon.aps_planned_finish - timedelta(minutes=20)
        data = self.env["med.aps.panorama"].with_user(self.aps_user).get_panorama(days=7)
        self.assertEqual(data["orders"][1]["late"], "20 min")
        for row in data["orders"]:
            production = productions.browse(row["id"])
            self.assertEqual(row["late"], production.aps_tardiness_display or "")
        self.assertTrue(data["orders"][0]["priority"])
        # work centers: the running work order is counted where it runs
        by_name = {wc["name"]: wc for wc in data["workcenters"]}
        self.assertEqual(by_name[started.workcenter_id.name]["in_progress"], 1)
        planned = sum(wc["planned_hours"] for wc in data["workcenters"])
        self.assertGreater(planned, 0)
        loads = [wc["load_percent"] or 0 for wc in data["workcenters"]]
        self.assertEqual(loads, sorted(loads, reverse=True))
        # the latest run and what it did
        self.assertEqual(data["last_run"]["id"], run.id)
        self.assertEqual(data["last_run"]["done_id"], run.id)
        self.assertEqual(data["last_run"]["late_count"], run.late_count)

    def test_a_shared_workcenter_shows_its_load(self):
        self.calendar.company_id = False
        self.wc_assembly.company_id = False
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=3)
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        data = self.env["med.aps.panorama"].with_user(self.aps_user).get_panorama(days=7)
        [assembly] = [wc for wc in data["workcenters"] if wc["id"] == self.wc_assembly.id]
        self.assertGreater(assembly["available_hours"], 0)
        self.assertGreater(assembly["planned_hours"], 0)
        self.assertIsNotNone(assembly["load_percent"])

    def test_only_aps_users_open_the_panorama(self):
        operator = self.env["res.users"].create(
            {
                "name": "Panorama Operator",
                "login": "panorama_operator",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set([self.env.ref("mrp.group_mrp_user").id])],
            }
        )
        with self.assertRaisesRegex(AccessError, "Only APS users can open the production"):
            self.env["med.aps.panorama"].with_user(operator).get_panorama()


@tagged("post_install", "-at_install")
class TestMedApsPanoramaTour(HttpCase):
    """The panorama in a browser: the counts, the orders and a click through to an order."""

    def test_panorama_tour(self):
        if not self.env.ref("med_aps.mo_demo_syr10_01", raise_if_not_found=False):
            self.skipTest("the med_aps demo data is not installed")
        # the plan checked, as the scheduled action does every few minutes
        self.env["med.aps.plan.check"]._aps_check_company(self.env.ref("base.main_company"))
        self.start_tour(
            "/odoo/action-med_aps.action_med_aps_panorama", "med_aps_panorama_tour", login="admin"
        )
