import math
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

from .common import MedApsToolingCommon


@tagged("post_install", "-at_install")
class TestToolingPlan(MedApsToolingCommon):
    """Tools and moulds are maintenance equipment: the plan never uses a mould twice at
    once, respects maintenance windows and breakdowns, and leaves out expired calibrations,
    saying which work orders that blocks."""

    def _assert_never_twice_at_once(self, lines):
        for before, after in zip(lines, lines[1:], strict=False):
            self.assertLessEqual(before.date_end, after.date_start, "a tool is used twice at once")

    def test_a_mould_shared_by_two_presses_is_never_used_twice_at_once(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        lines = self._tool_lines(self.mould)
        self.assertEqual(lines.workorder_id, self.molding, "each moulding work order names it")
        self.assertEqual(set(lines.mapped("kind")), {"tool"})
        self._assert_never_twice_at_once(lines)
        for line in lines:
            self.assertEqual(line.aps_equipment_ids, self.mould)
            self.assertEqual(line.workorder_id.aps_tool_ids, self.mould)
            self.assertEqual(line.date_start, line.workorder_id.date_start)
        # the mould moves between presses: 20 minutes between uses on different presses
        for before, after in zip(lines, lines[1:], strict=False):
            if before.workorder_id.workcenter_id != after.workorder_id.workcenter_id:
                self.assertGreaterEqual(after.date_start, before.date_end + timedelta(minutes=20))
        problem, plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(problem["schema_version"], 2)
        self.assertEqual(
            [source["id"] for source in problem["secondary_resources"]], ["EQ/%d" % self.mould.id]
        )
        self.assertEqual(violations, [])
        self.assertTrue(any(op.get("secondary") for op in plan["operations"]))
        # the tool timeline's lanes: one per tool
        timeline = self.env["med.aps.workorder.resource"].search(
            [("aps_equipment_ids", "in", self.mould.ids)]
        )
        self.assertEqual(timeline, lines)

    def test_maintenance_windows_and_breakdowns_are_respected(self):
        now = fields.Datetime.now()
        mould_service = self._maintenance(
            self.mould, now - timedelta(hours=1), now + timedelta(days=2)
        )
        # Molding 1's press has a preventive maintenance, Molding 2's press is broken down
        press_1 = self._press("Press 1", self.wc_molding_1)
        press_2 = self._press("Press 2", self.wc_molding_2)
        press_service = self._maintenance(
            press_1, now + timedelta(days=2), now + timedelta(days=3, hours=12)
        )
        breakdown = self._maintenance(press_2, now - timedelta(hours=2), False, kind="corrective")
        event = self.env["med.aps.plan.event"].search(
            [("kind", "=", "workcenter_blocked"), ("workcenter_id", "=", self.wc_molding_2.id)]
        )
        self.assertEqual(len(event), 1, "the breakdown is an event for the planner's repair")
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        for line in self._tool_lines(self.mould):
            self.assertGreaterEqual(line.date_start, mould_service.schedule_end)
        self.assertEqual(self.molding.workcenter_id, self.wc_molding_1, "Press 2 is broken down")
        # Molding 1 works no minute during its press's service: a work order across it pauses
        # (checked by the validator below), a non-interruptible one would wait
        intervals = (self.wc_molding_1 | self.wc_molding_2)._aps_working_intervals(
            now, now + timedelta(days=7)
        )
        self.assertFalse(intervals[self.wc_molding_2.id], "a breakdown blocks it now")
        self.assertFalse(
            [
                span
                for span in intervals[self.wc_molding_1.id]
                if span[0] < press_service.schedule_end and span[1] > press_service.schedule_date
            ]
        )
        self.assertEqual(self._rebuild_and_validate(run)[2], [])
        breakdown.stage_id = self.env["maintenance.stage"].search([("done", "=", True)], limit=1)
        self.assertTrue(
            self.env["med.aps.plan.event"].search(
                [
                    ("kind", "=", "workcenter_unblocked"),
                    ("workcenter_id", "=", self.wc_molding_2.id),
                ]
            )
        )

    def test_an_expired_calibration_makes_the_tool_ineligible(self):
        yesterday = fields.Date.today() - timedelta(days=1)
        self.mould.write({"aps_calibration_required": True, "aps_calibration_due_date": yesterday})
        self.assertEqual(self.mould.aps_calibration_status, "expired")
        before = self._snapshot(self.productions)
        run = self._run(self.productions)
        self.assertEqual(run.state, "failed")
        self.assertIn("needs 1 of Mould CATH-7", run.failure_reason)
        self.assertIn(
            "Mould CATH-7 calibration expired %s" % yesterday.isoformat(), run.failure_reason
        )
        self.assertEqual(self._snapshot(self.productions), before, "nothing was written")
        self.assertFalse(self._tool_lines())
        # with a calibrated spare the plan uses the spare and says what the first blocks
        spare = self.mould.copy(
            {
                "name": "Mould CATH-7 spare",
                "aps_calibration_due_date": fields.Date.today() + timedelta(days=365),
            }
        )
        self.molding_ops.aps_tool_ids.equipment_ids = [Command.link(spare.id)]
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertIn(
            "Mould CATH-7 calibration expired %s: 4 work orders cannot use it"
            % yesterday.isoformat(),
            run.resource_warnings,
        )
        self.assertEqual(set(self._tool_lines().mapped("res_id")), {spare.id})
        self.assertEqual(self._rebuild_and_validate(run)[2], [])

    def test_a_calibration_due_in_the_horizon_ends_the_tool_s_time(self):
        """Valid through its due date, not after: the tool's calendar ends there."""
        due = fields.Date.today() + timedelta(days=1)
        self.mould.write({"aps_calibration_required": True, "aps_calibration_due_date": due})
        self.assertEqual(self.mould.aps_calibration_status, "due_soon")
        run = self.env["med.aps.run"].create(
            {"production_ids": [Command.set(self.productions.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem, scope = ProblemBuilder(run).build()
        (source,) = problem["secondary_resources"]
        limit = scope.to_minutes(fields.Datetime.to_datetime(due + timedelta(days=1)))
        self.assertEqual(source["calendar"][-1][1], min(limit, problem["horizon"]))
        self.assertEqual(source["calendar"][0][0], 0)

    def test_an_expired_press_calibration_closes_its_work_center(self):
        expired = fields.Date.today() - timedelta(days=3)
        self._press(
            "Press 2",
            self.wc_molding_2,
            aps_calibration_required=True,
            aps_calibration_due_date=expired,
        )
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertIn(
            "Press 2 calibration expired %s: 4 work orders cannot use it" % expired.isoformat(),
            run.resource_warnings,
        )
        self.assertEqual(self.molding.workcenter_id, self.wc_molding_1)

    def test_a_tool_counts_its_cycles_and_its_maintenance_resets_them(self):
        self.mould.aps_max_cycles = 1000
        self.molding_ops.aps_tool_ids.parts_per_cycle = 2
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        workorder = self.molding[0]
        self.assertEqual(workorder.aps_tool_ids, self.mould)
        workorder.button_start()
        workorder.button_finish()
        self.assertEqual(
            self.mould.aps_cycles_used, math.ceil(workorder.qty_produced / 2), "3 parts, 2 a shot"
        )
        request = self._maintenance(
            self.mould, fields.Datetime.now(), fields.Datetime.now() + timedelta(hours=2)
        )
        request.stage_id = self.env["maintenance.stage"].search([("done", "=", True)], limit=1)
        self.assertEqual(self.mould.aps_cycles_used, 0)

    def test_a_mould_at_its_cycle_limit_gets_a_maintenance_in_the_plan(self):
        self.mould.write({"aps_max_cycles": 5, "aps_maintenance_minutes": 90})
        self.mould.sudo().aps_cycles_used = 4
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        lines = self._tool_lines(self.mould)
        self.assertTrue(lines.filtered("maintenance_start"), "a maintenance is planned")
        self.assertEqual(self._rebuild_and_validate(run)[2], [])

    def test_the_plan_check_names_work_whose_tools_no_longer_fit(self):
        """A planned mould's calibration expires: the plan check names each work order
        that needs it, and still checks the others' rules."""
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        yesterday = fields.Date.today() - timedelta(days=1)
        self.mould.write({"aps_calibration_required": True, "aps_calibration_due_date": yesterday})
        # and a later work order given less time than its work needs
        later = self._more_work_than_planned(self.productions.workorder_ids - self.molding)
        check = self.env["med.aps.plan.check"]._aps_check_company(self.env.company)
        rules = check.issue_ids.filtered(lambda issue: issue.kind == "rule")
        unfit = rules.filtered(lambda issue: issue.rule == "data")
        self.assertEqual(unfit.workorder_id, self.molding.filtered(lambda wo: wo.date_start))
        self.assertTrue(all("needs 1 of Mould CATH-7" in issue.detail for issue in unfit))
        self.assertEqual(
            unfit[0].message,
            "The plan of %s could not be checked against the planning rules."
            % unfit[0].workorder_id.display_name,
        )
        self.assertEqual(
            rules.filtered(lambda issue: issue.rule == "duration").workorder_id,
            later,
            rules.mapped("detail"),
        )
