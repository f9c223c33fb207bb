from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsSecurity(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.production = cls._create_mo(cls.catheter_a, cls.bom_a)

    def test_aps_user_cannot_run(self):
        before = self._snapshot(self.production)
        runs_before = self.env["med.aps.run"].search_count([])
        Run = self.env["med.aps.run"].with_user(self.aps_user)
        with self.assertRaisesRegex(AccessError, "Only APS planners"):
            Run.api_replan(scope={"production_ids": self.production.ids}, wait=True)
        with self.assertRaisesRegex(AccessError, "Only APS planners"):
            self.production.with_user(self.aps_user).action_aps_replan()
        with self.assertRaisesRegex(AccessError, "Only APS planners"):
            self.production.with_user(self.aps_user).action_aps_lock()
        with self.assertRaises(AccessError):
            self.env["med.aps.replan.wizard"].with_user(self.aps_user).create({})
        run = self.env["med.aps.run"].create({"production_ids": [(6, 0, self.production.ids)]})
        with self.assertRaisesRegex(AccessError, "Only APS planners"):
            run.with_user(self.aps_user).action_start()
        with self.assertRaisesRegex(AccessError, "Only APS planners"):
            run.with_user(self.aps_user).action_cancel()
        # but the user reads runs
        self.assertEqual(Run.api_read(run.id)["state"], "queued")
        self.assertEqual(self.env["med.aps.run"].search_count([]), runs_before + 1)
        self.assertEqual(self._snapshot(self.production), before)
        self.assertFalse(self.production.aps_locked)

    def test_planner_runs(self):
        result = (
            self.env["med.aps.run"]
            .with_user(self.planner)
            .api_replan(
                scope={"production_ids": self.production.ids},
                params={"time_limit": self.TIME_LIMIT, "workers": 1},
                wait=True,
            )
        )
        self.assertEqual(result["state"], "done")
        self.production.with_user(self.planner).action_aps_lock()
        self.assertTrue(self.production.aps_locked)

    def test_runs_are_company_restricted(self):
        other_company = self.env["res.company"].create({"name": "Other APS plant"})
        foreign = (
            self.env["med.aps.run"]
            .sudo()
            .with_company(other_company)
            .create({"company_id": other_company.id})
        )
        foreign_order = (
            self.env["mrp.production"]
            .sudo()
            .with_company(other_company)
            .create({"product_id": self.catheter_a.id, "company_id": other_company.id})
        )
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.env["med.aps.run"].create(
                {"company_id": self.company.id, "production_ids": [(6, 0, foreign_order.ids)]}
            )
        visible = self.env["med.aps.run"].with_user(self.planner).search([])
        self.assertNotIn(foreign, visible)
        with self.assertRaises(AccessError):
            foreign.with_user(self.planner).read(["name"])
