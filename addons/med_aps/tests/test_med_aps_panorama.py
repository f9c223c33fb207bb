from odoo import Command
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
        # one work order is running
        started = soon.workorder_ids.sorted("sequence")[0]
        started.button_start()

        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        data = self.env["med.aps.panorama"].with_user(self.aps_user).get_panorama(days=7)
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
        self.start_tour(
            "/odoo/action-med_aps.action_med_aps_panorama", "med_aps_panorama_tour", login="admin"
        )
