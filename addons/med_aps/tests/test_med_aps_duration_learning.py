import math

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsDurationLearning(MedApsCommon):
    """Actual against planned durations of finished work orders, per operation and work
    center: the median ratio, the sample size and the outliers named."""

    def _finish_molding(self, ratio):
        """An order whose molding work order is finished after its setup and cleanup and
        ``ratio`` times its planned processing time, logged through Odoo's own time
        tracking."""
        production = self._create_mo(self.catheter_a, self.bom_a)
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        molding.ensure_one()
        _capacity, setup, cleanup = molding.workcenter_id._get_capacity(
            molding.product_id, molding.product_uom_id
        )
        processing = molding.duration_expected - setup - cleanup
        self.assertGreater(processing, 0)
        molding.duration = setup + cleanup + processing * ratio
        molding.button_finish()
        self.assertEqual(molding.state, "done")
        return production, molding

    def _learned(self, molding):
        Learning = self.env["med.aps.duration.learning"]
        # a view's rows are numbered anew at each read: forget what an earlier read cached
        Learning.invalidate_model()
        return Learning.search(
            [
                ("operation_id", "=", molding.operation_id.id),
                ("workcenter_id", "=", molding.workcenter_id.id),
            ]
        )

    def test_median_sample_and_outlier(self):
        ratios = [1.4, 1.5, 1.5, 1.6, 1.5, 12.0]
        finished = [self._finish_molding(ratio) for ratio in ratios]
        row = self._learned(finished[0][1])
        self.assertEqual(len(row), 1)
        self.assertEqual(row.sample_count, 6)
        self.assertAlmostEqual(row.median_ratio, 1.5, places=2)
        self.assertLessEqual(row.low_ratio, row.median_ratio)
        self.assertGreaterEqual(row.high_ratio, row.median_ratio)
        # the work order left running is named, the others are not
        self.assertEqual(row.outlier_count, 1)
        outlier_mo = finished[-1][0]
        self.assertIn(outlier_mo.name, row.outlier_names)
        self.assertNotIn(finished[0][0].name, row.outlier_names)
        self.assertEqual(row.product_tmpl_id, self.catheter_a.product_tmpl_id)
        self.assertEqual(row.company_id, self.company)
        # what planning would use: only with enough work orders behind it
        factors = self.env["med.aps.duration.learning"]._aps_duration_factors(self.company, 5)
        key = (row.operation_id.id, row.workcenter_id.id)
        self.assertAlmostEqual(factors[key], 1.5, places=2)
        self.assertNotIn(
            key, self.env["med.aps.duration.learning"]._aps_duration_factors(self.company, 7)
        )
        other = self.env["res.company"].create({"name": "Other Plant"})
        self.assertEqual(self.env["med.aps.duration.learning"]._aps_duration_factors(other, 1), {})

    def test_a_shared_work_center_is_learned_per_company(self):
        """A work center and a bill of materials of no company, used by two plants: each
        plant sees and plans with its own work orders only."""
        other = self.env["res.company"].create({"name": "Other Plant"})
        self.env.user.company_ids |= other
        press = self.env["mrp.workcenter"].create(
            {
                "name": "Shared Press",
                "company_id": False,
                "resource_calendar_id": self.calendar.copy({"company_id": False}).id,
            }
        )
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.catheter_a.product_tmpl_id.id,
                "product_qty": 1,
                "company_id": False,
                "operation_ids": [
                    Command.create(
                        {"name": "Press", "workcenter_id": press.id, "time_cycle_manual": 60}
                    )
                ],
            }
        )
        # this plant takes as long as planned, the other one three times as long
        for company, ratio, count in ((self.company, 1.0, 5), (other, 3.0, 6)):
            env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
            warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            for _round in range(count):
                production = env["mrp.production"].create(
                    {
                        "product_id": self.catheter_a.id,
                        "bom_id": bom.id,
                        "product_qty": 1,
                        "company_id": company.id,
                        "picking_type_id": warehouse.manu_type_id.id,
                    }
                )
                production.action_confirm()
                production.workorder_ids.duration = (
                    production.workorder_ids.duration_expected * ratio
                )
                production.workorder_ids.button_finish()
                self.assertEqual(production.workorder_ids.state, "done")
        Learning = self.env["med.aps.duration.learning"]
        Learning.invalidate_model()
        row = Learning.with_user(self.aps_user).search([("workcenter_id", "=", press.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual(row.company_id, self.company)
        self.assertEqual(row.sample_count, 5)
        self.assertAlmostEqual(row.median_ratio, 1.0, places=2)
        self.assertEqual(row.outlier_count, 0)
        key = (row.operation_id.id, press.id)
        self.assertAlmostEqual(Learning._aps_duration_factors(self.company, 5)[key], 1.0, places=2)
        self.assertAlmostEqual(Learning._aps_duration_factors(other, 5)[key], 3.0, places=2)
        # the other plant's six work orders do not lift this plant above six samples
        self.assertNotIn(key, Learning._aps_duration_factors(self.company, 6))

    def test_setup_and_cleanup_are_not_learned(self):
        """Work orders whose processing took twice as long as planned, with their setup and
        cleanup as planned: planned with twice the processing time, and the same setup and
        cleanup (here the product's own on the work center)."""
        self.env["mrp.workcenter.capacity"].create(
            {
                "workcenter_id": self.wc_molding_1.id,
                "product_id": self.catheter_a.id,
                "time_start": 20,
                "time_stop": 0,
            }
        )
        for _round in range(5):
            _production, molding = self._finish_molding(2.0)
        # 20 min setup, then 120 min instead of the planned 60
        self.assertAlmostEqual(molding.duration_expected, 80.0, places=2)
        self.assertAlmostEqual(molding.duration, 140.0, delta=0.1)
        row = self._learned(molding)
        self.assertEqual(row.sample_count, 5)
        self.assertAlmostEqual(row.median_ratio, 2.0, places=2)
        self.assertAlmostEqual(row.planned_minutes, 5 * 60.0, places=1)
        self.assertAlmostEqual(row.actual_minutes, 5 * 120.0, delta=0.5)

        production = self._create_mo(self.catheter_a, self.bom_a)
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        run = self.env["med.aps.run"].create(
            {
                "trigger": "api",
                "company_id": self.company.id,
                "production_ids": [Command.set(production.ids)],
                "use_learned_durations": True,
            }
        )
        problem, _scope = ProblemBuilder(run).build()
        [operation] = [
            op
            for job in problem["jobs"]
            for op in job["operations"]
            if op["id"] == "WO/%d" % molding.id
        ]
        mode = {mode["resource"]: mode for mode in operation["modes"]}[
            "WC/%d" % self.wc_molding_1.id
        ]
        self.assertEqual(mode["duration"], 120)
        self.assertEqual(mode.get("setup", 0), 20)
        self.assertEqual(mode.get("cleanup", 0), 0)

    def test_only_recent_finished_work_orders_count(self):
        for ratio in (3.0, 3.0, 1.0, 1.0, 1.0):
            _production, molding = self._finish_molding(ratio)
        # an unfinished work order does not count
        open_mo = self._create_mo(self.catheter_a, self.bom_a)
        open_mo.workorder_ids.filtered(lambda wo: wo.name == "Molding").duration = 500
        self.assertEqual(self._learned(molding).sample_count, 5)
        # the three latest only: the two slow ones were finished first
        self.env["ir.config_parameter"].sudo().set_param("med_aps.learning_recent_workorders", "3")
        row = self._learned(molding)
        self.assertEqual(row.sample_count, 3)
        self.assertAlmostEqual(row.median_ratio, 1.0, places=2)

    def test_readers_need_the_aps_user_group(self):
        _production, molding = self._finish_molding(1.2)
        self.assertEqual(len(self._learned(molding).with_user(self.aps_user)), 1)
        outsider = self.env["res.users"].create(
            {
                "name": "Operator",
                "login": "duration_learning_operator",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set([self.env.ref("mrp.group_mrp_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["med.aps.duration.learning"].with_user(outsider).search([])

    def test_a_run_plans_with_the_learned_durations(self):
        for _round in range(5):
            self._finish_molding(1.5)
        production = self._create_mo(self.catheter_a, self.bom_a)
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")

        def molding_mode(learned):
            run = self.env["med.aps.run"].create(
                {
                    "trigger": "api",
                    "company_id": self.company.id,
                    "production_ids": [Command.set(production.ids)],
                    "use_learned_durations": learned,
                }
            )
            problem, _scope = ProblemBuilder(run).build()
            [operation] = [
                op
                for job in problem["jobs"]
                for op in job["operations"]
                if op["id"] == "WO/%d" % molding.id
            ]
            return {mode["resource"]: mode for mode in operation["modes"]}

        routing, learned = molding_mode(False), molding_mode(True)
        own = "WC/%d" % molding.workcenter_id.id
        self.assertEqual(learned[own]["duration"], math.ceil(routing[own]["duration"] * 1.5 - 1e-6))
        # setup and cleanup are the work center's, not learned
        self.assertEqual(learned[own]["setup"], routing[own]["setup"])
        # the alternative work center has no history: the routing's duration
        others = set(routing) - {own}
        self.assertTrue(others)
        for key in others:
            self.assertEqual(learned[key]["duration"], routing[key]["duration"])
        # below the minimum sample size nothing is learned
        self.env["ir.config_parameter"].sudo().set_param("med_aps.learning_min_samples", "6")
        self.assertEqual(molding_mode(True)[own]["duration"], routing[own]["duration"])
