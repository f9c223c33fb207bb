from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.med_aps.services.plan_writer import PlanWriter

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsSafety(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mo_1 = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.mo_2 = cls._create_mo(cls.catheter_b, cls.bom_b, deadline_days=4)
        cls.productions = cls.mo_1 | cls.mo_2
        # a previous plan made by Odoo's own planning
        cls.productions.button_plan()

    def _assert_failed_and_unchanged(self, run, before, expected_message):
        self.assertEqual(run.state, "failed")
        self.assertIn(expected_message, run.failure_reason)
        self.assertEqual(self._snapshot(self.productions), before)
        self.assertFalse(run.workcenter_line_ids)

    def test_solver_without_solution_writes_nothing(self):
        before = self._snapshot(self.productions)

        def no_solution(problem, options=None):
            return {"schema_version": 1, "status": "UNKNOWN", "operations": []}

        with patch("med_aps_engine.solve", no_solution):
            run = self._run(self.productions)
        self._assert_failed_and_unchanged(run, before, "No plan was found within the time limit")

    def test_invalid_plan_writes_nothing(self):
        before = self._snapshot(self.productions)
        with patch("med_aps_engine.validate", lambda problem, plan: ["operation 'WO/1' broken"]):
            run = self._run(self.productions)
        self._assert_failed_and_unchanged(run, before, "breaks 1 rule(s)")

    def test_crash_while_writing_rolls_back_everything(self):
        before = self._snapshot(self.productions)
        original = PlanWriter._update_values

        def crash_on_productions(writer, table, *args, **kwargs):
            if table == "mrp_production":
                raise RuntimeError("disk full")
            return original(writer, table, *args, **kwargs)

        with (
            patch.object(PlanWriter, "_update_values", crash_on_productions),
            mute_logger("odoo.addons.med_aps.models.med_aps_run"),
        ):
            run = self._run(self.productions)
        self._assert_failed_and_unchanged(run, before, "disk full")

    def test_workcenter_without_calendar_names_it(self):
        before = self._snapshot(self.productions)
        self.env.cr.execute(
            "UPDATE mrp_workcenter SET resource_calendar_id = NULL WHERE id = %s",
            [self.wc_assembly.id],
        )
        self.env.invalidate_all()
        run = self._run(self.productions)
        self._assert_failed_and_unchanged(
            run, before, "Work center Assembly has no working calendar"
        )

    def test_zero_capacity_names_workcenter(self):
        before = self._snapshot(self.productions)
        self.env.cr.execute(
            "UPDATE mrp_workcenter SET aps_parallel_capacity = 0 WHERE id = %s",
            [self.wc_assembly.id],
        )
        self.env.invalidate_all()
        run = self._run(self.productions)
        self._assert_failed_and_unchanged(
            run, before, "Work center Assembly has a parallel capacity of zero"
        )

    def test_operation_without_duration_names_it(self):
        before = self._snapshot(self.productions)
        workorder = self.mo_1.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        self.env.cr.execute(
            "UPDATE mrp_workorder SET duration_expected = 0 WHERE id = %s", [workorder.id]
        )
        self.env.cr.execute(
            "UPDATE mrp_workcenter SET time_start = 0, time_stop = 0 WHERE id = %s",
            [self.wc_assembly.id],
        )
        self.env.cr.execute(
            "UPDATE mrp_routing_workcenter SET time_cycle_manual = 0 WHERE id = %s",
            [workorder.operation_id.id],
        )
        self.env.invalidate_all()
        before = self._snapshot(self.productions)
        run = self._run(self.productions)
        self._assert_failed_and_unchanged(
            run, before, "Work order %s - Assembly has no duration" % self.mo_1.name
        )

    def test_concurrent_run_is_refused(self):
        before = self._snapshot(self.productions)
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_lock(%s, %s)", self._company_lock_key())
            try:
                with self.assertRaisesRegex(UserError, "Another plan run is being processed"):
                    self.env["med.aps.run"].api_replan(
                        scope={"production_ids": self.productions.ids},
                        params={"time_limit": self.TIME_LIMIT},
                        wait=True,
                    )
                run = self.env["med.aps.run"].create(
                    {"production_ids": [(6, 0, self.productions.ids)], "time_limit": 2}
                )
                with self.assertRaisesRegex(UserError, "Another plan run is being processed"):
                    run.action_start()
                with self.assertRaisesRegex(UserError, "Another plan run is being processed"):
                    run._process_now()
                self.assertEqual(run.state, "queued")
            finally:
                other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._company_lock_key())
        self.assertEqual(self._snapshot(self.productions), before)

    def test_cancelled_run_writes_nothing(self):
        before = self._snapshot(self.productions)
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.productions.ids)], "time_limit": 2, "workers": 1}
        )
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")
        # the scheduled action skips it
        self.env["med.aps.run"]._cron_process_queued_runs()
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(self._snapshot(self.productions), before)
        with self.assertRaisesRegex(UserError, "already finished"):
            run.action_cancel()

    def test_dependency_cycle_names_the_orders(self):
        # each order would need the other's product first: a cycle through procurement links
        for consumer, supplier in ((self.mo_1, self.mo_2), (self.mo_2, self.mo_1)):
            tube_move = consumer.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
            tube_move.move_orig_ids = supplier.move_finished_ids.filtered(
                lambda m, product=supplier.product_id: m.product_id == product
            )
        before = self._snapshot(self.productions)
        run = self._run(self.productions)
        self._assert_failed_and_unchanged(run, before, "cycle")
        self.assertIn("The planning data is invalid", run.failure_reason)
        self.assertTrue(
            self.mo_1.name in run.failure_reason or self.mo_2.name in run.failure_reason,
            run.failure_reason,
        )
        for production in self.productions:
            # engine identifiers are translated back into record names
            self.assertNotIn("'MO/%d'" % production.id, run.failure_reason)
