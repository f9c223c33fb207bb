from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_datetime

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsPlan(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mo_a1 = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.mo_b1 = cls._create_mo(cls.catheter_b, cls.bom_b, deadline_days=4, priority="1")
        cls.mo_a2 = cls._create_mo(cls.catheter_a, cls.bom_a, qty=2, deadline_days=6)
        cls.productions = cls.mo_a1 | cls.mo_b1 | cls.mo_a2

    def _plan_with_urgent_orders(self, count):
        """Add ``count`` catheter A orders due tomorrow, plan all orders; (orders, run)."""
        extra = self.env["mrp.production"]
        for _index in range(count):
            extra |= self._create_mo(self.catheter_a, self.bom_a, deadline_days=1)
        productions = self.productions | extra
        run = self._run(productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        return productions, run

    def test_plan_written_back_passes_engine_validator(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertIn(run.solver_status, ("OPTIMAL", "FEASIBLE"))
        self.assertEqual(run.workorder_count, 9)
        self.assertTrue(run.workcenter_line_ids)
        for workorder in self.productions.workorder_ids:
            self.assertTrue(workorder.date_start and workorder.date_finished, workorder.name)
            self.assertEqual(workorder.aps_run_id, run)
            # Odoo's own booking of the work center follows the work order
            self.assertEqual(workorder.leave_id.date_from, workorder.date_start)
            self.assertEqual(workorder.leave_id.date_to, workorder.date_finished)
            self.assertEqual(workorder.leave_id.resource_id, workorder.workcenter_id.resource_id)
            self.assertEqual(workorder.leave_id.time_type, "other")
            self.assertGreaterEqual(workorder.date_start, run.plan_origin)
        for production in self.productions:
            self.assertTrue(production.is_planned)
            self.assertTrue(production.aps_planned)
            self.assertEqual(production.aps_last_run_id, run)
            workorders = production.workorder_ids
            self.assertEqual(production.date_start, min(workorders.mapped("date_start")))
            self.assertEqual(production.date_finished, max(workorders.mapped("date_finished")))
            raw_dates = set(production.move_raw_ids.mapped("date"))
            self.assertEqual(raw_dates, {production.date_start})
            self.assertEqual(
                production.aps_is_late, production.aps_planned_finish > production.date_deadline
            )
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])

    def test_finished_moves_follow_the_finish_without_a_write_per_order(self):
        """The finished product moves take the order's planned finish from the writer itself,
        so Odoo's recompute of ``move_finished_ids`` finds them up to date and writes no move
        (one ``stock.move.write`` per order was most of the write time at 10,000 orders)."""
        move_class = type(self.env["stock.move"])
        original_write = move_class.write
        dated = []

        def spy_write(moves, vals):
            if "date" in vals:
                dated.extend(moves.filtered("production_id").ids)
            return original_write(moves, vals)

        with patch.object(move_class, "write", spy_write):
            run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertEqual(dated, [], "finished moves written one by one")
        for production in self.productions:
            self.assertTrue(production.move_finished_ids)
            self.assertEqual(
                set(production.move_finished_ids.mapped("date")), {production.date_finished}
            )

    def test_work_beyond_the_horizon_fails_with_the_engine_reason(self):
        """When the engine finds no plan and says why (at 10,000 orders beyond the horizon:
        the dispatcher finds no room for an operation, before any time limit), the run
        shows that reason with the work order's name and the horizon to raise, not advice
        to raise the time limit."""
        self.env["ir.config_parameter"].sudo().set_param("med_aps.horizon_days", 7)
        workorder = self.mo_a1.workorder_ids[0]
        no_room = {
            "schema_version": 1,
            "status": "UNKNOWN",
            "operations": [],
            "message": "operation 'WO/%d': no resource of its modes has room in its calendar"
            % workorder.id,
        }
        with patch("med_aps_engine.solve", return_value=no_room):
            run = self._run(self.productions)
        self.assertEqual(run.state, "failed")
        self.assertIn(
            "'%s': no resource of its modes has room" % workorder.display_name, run.failure_reason
        )
        self.assertIn("planning horizon of 7 days", run.failure_reason)
        self.assertIn("med_aps.horizon_days", run.failure_reason)
        self.assertNotIn("Increase the time limit", run.failure_reason)

    def test_plan_note_dates_in_the_users_zone_and_format(self):
        """The note of a moved order shows its dates as Odoo formats them for the user (its
        language's short format, its time zone), read once per run for all orders."""
        self.env.user.tz = "Asia/Shanghai"
        run = self._run(self.mo_a1)
        self.assertEqual(run.state, "done", run.failure_reason)
        note = self.mo_a1.message_ids.filtered(lambda m: run.name in (m.body or ""))
        new_start = format_datetime(self.env, self.mo_a1.date_start, dt_format="short")
        new_finish = format_datetime(self.env, self.mo_a1.date_finished, dt_format="short")
        self.assertIn("→ %s, finish" % new_start, note.body)
        self.assertIn("→ %s." % new_finish, note.body)
        shanghai = self.mo_a1.date_start + timedelta(hours=8)
        # en_US shows 12-hour times
        self.assertIn("%d:%02d" % (shanghai.hour % 12 or 12, shanghai.minute), new_start)
        format_date = self.mo_a1._aps_date_formatter()
        for value in (self.mo_a1.date_start, datetime(2027, 1, 31, 23, 5)):
            self.assertEqual(
                format_date(value), format_datetime(self.env, value, dt_format="short")
            )
        self.assertEqual(format_date(False), "—")

    def test_sequence_and_hold_respected(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        for production in self.productions:
            molding, assembly, sterilization = production.workorder_ids.sorted("sequence")
            self.assertGreaterEqual(assembly.date_start, molding.date_finished)
            self.assertGreaterEqual(sterilization.date_start, assembly.date_finished)
            # the 120 min hold after sterilization is added after the last operation
            self.assertGreaterEqual(
                (production.aps_planned_finish - sterilization.date_finished).total_seconds(),
                120 * 60,
            )

    def test_locked_workorders_do_not_move(self):
        # Odoo's own planning places the first order, then the planner locks one operation
        self.mo_a1.button_plan()
        locked = self.mo_a1.workorder_ids.sorted("sequence")[0]
        locked.action_aps_lock()
        before = (
            locked.workcenter_id,
            locked.date_start,
            locked.date_finished,
            locked.leave_id,
            locked.leave_id.date_from,
            locked.leave_id.date_to,
        )
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.env.invalidate_all()
        after = (
            locked.workcenter_id,
            locked.date_start,
            locked.date_finished,
            locked.leave_id,
            locked.leave_id.date_from,
            locked.leave_id.date_to,
        )
        self.assertEqual(before, after)
        self.assertFalse(locked.aps_run_id, "a locked work order is not rewritten")
        # nothing else overlaps the locked slot on its work center
        others = self.productions.workorder_ids.filtered(
            lambda wo: wo != locked and wo.workcenter_id == locked.workcenter_id
        )
        for other in others:
            self.assertTrue(
                other.date_finished <= locked.date_start
                or other.date_start >= locked.date_finished,
                "%s overlaps the locked %s" % (other.display_name, locked.display_name),
            )

    def test_in_progress_workorder_does_not_move(self):
        molding = self.mo_a1.workorder_ids.sorted("sequence")[0]
        molding.button_start()
        self.assertEqual(molding.state, "progress")
        before = (molding.workcenter_id, molding.date_start, molding.leave_id)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.env.invalidate_all()
        self.assertEqual((molding.workcenter_id, molding.date_start, molding.leave_id), before)
        self.assertFalse(molding.aps_run_id)
        assembly = self.mo_a1.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        self.assertEqual(assembly.aps_run_id, run)
        # nothing else is planned on the machine while the started order is still running
        busy_until = max(molding.date_start, run.plan_origin) + timedelta(
            minutes=molding.duration_expected - 1
        )
        others = self.productions.workorder_ids.filtered(
            lambda wo: wo != molding and wo.workcenter_id == molding.workcenter_id
        )
        for other in others:
            self.assertGreaterEqual(other.date_start, busy_until, other.display_name)

    def test_done_workorders_are_ignored(self):
        molding = self.mo_a1.workorder_ids.sorted("sequence")[0]
        molding.button_start()
        molding.button_finish()
        self.assertEqual(molding.state, "done")
        before = (molding.workcenter_id, molding.date_start, molding.date_finished)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.env.invalidate_all()
        self.assertEqual((molding.workcenter_id, molding.date_start, molding.date_finished), before)
        self.assertFalse(molding.aps_run_id)
        pending = self.mo_a1.workorder_ids - molding
        self.assertEqual(pending.aps_run_id, run, "the rest of the order is planned")
        self.assertEqual(run.workorder_count, 8)

    def test_locked_production_keeps_all_dates(self):
        self.mo_b1.button_plan()
        self.mo_b1.action_aps_lock()
        before = self._snapshot(self.mo_b1)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        after = self._snapshot(self.mo_b1)
        self.assertEqual(before["workorders"], after["workorders"])

    def test_alternative_workcenter_and_batches(self):
        # five orders on the same molding machine: the solver may use the slower alternative
        productions, run = self._plan_with_urgent_orders(3)
        sterilizations = productions.workorder_ids.filtered(
            lambda wo: wo.workcenter_id == self.wc_sterilizer
        )
        batches = {}
        for workorder in sterilizations:
            self.assertTrue(workorder.aps_batch_ref, workorder.display_name)
            batches.setdefault(workorder.aps_batch_ref, set()).add(
                (workorder.date_start, workorder.date_finished)
            )
        for slots in batches.values():
            self.assertEqual(len(slots), 1, "all orders of one batch share the same cycle")
        moldings = productions.workorder_ids.filtered(lambda wo: wo.operation_id.name == "Molding")
        for workorder in moldings.filtered(lambda wo: wo.workcenter_id == self.wc_molding_2):
            # duration from Odoo's own expected-duration logic on the alternative
            self.assertAlmostEqual(
                workorder.duration_expected,
                workorder._get_duration_expected(),
                places=1,
            )
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])

    def _block(self, workcenter, reason="mrp.block_reason5"):
        """Block the work center as Odoo's Block dialog does (a process defect, unless
        ``reason`` names another loss)."""
        self.env["mrp.workcenter.productivity"].create(
            {
                "workcenter_id": workcenter.id,
                "loss_id": self.env.ref(reason).id,
                "company_id": self.company.id,
            }
        ).button_block()
        self.assertEqual(workcenter.working_state, "blocked")

    def test_a_setup_under_way_does_not_block_the_plan(self):
        # Odoo shows the press blocked while it is set up: the plan's own changeover
        self._block(self.wc_molding_1, reason="mrp.block_reason2")
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertNotIn("is blocked", run.resource_warnings or "")
        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        self.assertFalse(check.issue_ids.filtered(lambda i: i.kind == "blocked_workcenter"))

    def test_a_closed_workcenter_whose_alternative_is_blocked_keeps_the_alternative(self):
        closed = self.env["resource.calendar"].create(
            {"name": "Closed", "company_id": self.company.id, "attendance_ids": [Command.clear()]}
        )
        self.wc_molding_1.resource_calendar_id = closed
        self._block(self.wc_molding_2)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        moldings = self.productions.workorder_ids.filtered(
            lambda wo: wo.operation_id.name == "Molding"
        )
        self.assertEqual(moldings.workcenter_id, self.wc_molding_2)
        self.assertIn(
            "Work center Molding 2 is blocked: 3 work orders that can run nowhere else stay "
            "planned on it until it is unblocked.",
            run.resource_warnings,
        )

    def test_a_blocked_workcenter_whose_alternative_cannot_run_keeps_its_work(self):
        closed = self.env["resource.calendar"].create(
            {"name": "Closed", "company_id": self.company.id, "attendance_ids": [Command.clear()]}
        )
        self.wc_molding_2.resource_calendar_id = closed
        self._block(self.wc_molding_1)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        moldings = self.productions.workorder_ids.filtered(
            lambda wo: wo.operation_id.name == "Molding"
        )
        self.assertEqual(moldings.workcenter_id, self.wc_molding_1)
        self.assertIn(
            "Work center Molding 1 is blocked: 3 work orders that can run nowhere else stay "
            "planned on it until it is unblocked.",
            run.resource_warnings,
        )

    def test_blocked_workcenter_gives_its_work_to_its_alternative(self):
        self._block(self.wc_molding_1)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        moldings = self.productions.workorder_ids.filtered(
            lambda wo: wo.operation_id.name == "Molding"
        )
        self.assertEqual(len(moldings), 3)
        self.assertEqual(moldings.workcenter_id, self.wc_molding_2)
        self.assertIn(
            "Work center Molding 1 is blocked: 3 work orders that could run on it are planned "
            "on its alternatives.",
            run.resource_warnings,
        )
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])

    def test_work_without_an_alternative_stays_on_a_blocked_workcenter(self):
        self._block(self.wc_assembly)
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        assemblies = self.productions.workorder_ids.filtered(
            lambda wo: wo.operation_id.name == "Assembly"
        )
        self.assertEqual(assemblies.workcenter_id, self.wc_assembly)
        self.assertTrue(all(assemblies.mapped("date_start")))
        self.assertIn(
            "Work center Assembly is blocked: 3 work orders that can run nowhere else stay "
            "planned on it until it is unblocked.",
            run.resource_warnings,
        )

    def test_round_the_clock_calendar_has_no_gap_at_midnight(self):
        # Odoo ends a 24:00 attendance at 23:59:59.999999; a sterilizer running 24/7 must
        # still be able to run an 8-hour cycle across midnight
        round_the_clock = self.env["resource.calendar"].create(
            {
                "name": "APS 24/7",
                "company_id": self.company.id,
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": "Day %s" % day,
                            "dayofweek": str(day),
                            "hour_from": 0.0,
                            "hour_to": 24.0,
                            "day_period": "full_day",
                        }
                    )
                    for day in range(7)
                ],
            }
        )
        self.wc_sterilizer.resource_calendar_id = round_the_clock
        run = self.env["med.aps.run"].create(
            {"company_id": self.company.id, "production_ids": [Command.set(self.productions.ids)]}
        )
        problem, _scope = ProblemBuilder(run).build()
        sterilizer = next(
            r for r in problem["resources"] if r["id"] == "WC/%d" % self.wc_sterilizer.id
        )
        self.assertEqual(sterilizer["calendar"], [[0, problem["horizon"]]])
        # the two-shift calendar keeps its real breaks
        molding = next(r for r in problem["resources"] if r["id"] == "WC/%d" % self.wc_molding_1.id)
        self.assertGreater(len(molding["calendar"]), 1)
        # the first interval may begin mid-shift (now), the last ends at the horizon
        for start, end in molding["calendar"][1:-1]:
            self.assertEqual((end - start) % 60, 0, molding["calendar"][:3])

    def test_parallel_units_are_stored(self):
        self.wc_assembly.aps_parallel_capacity = 2
        productions, run = self._plan_with_urgent_orders(3)
        assemblies = productions.workorder_ids.filtered(
            lambda wo: wo.workcenter_id == self.wc_assembly
        )
        self.assertTrue(assemblies)
        self.assertTrue(set(assemblies.mapped("aps_unit")) <= {1, 2})
        for first in assemblies:
            for second in assemblies:
                overlap = (
                    first.id < second.id
                    and first.date_start < second.date_finished
                    and second.date_start < first.date_finished
                )
                if overlap:
                    self.assertNotEqual(first.aps_unit, second.aps_unit)
        problem, plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])
        read_back = {op["op"]: op["unit"] for op in plan["operations"]}
        for workorder in assemblies:
            self.assertEqual(read_back["WO/%d" % workorder.id], workorder.aps_unit - 1)

    def test_extension_hook_and_chatter_after_the_write(self):
        """Other addons see the moved work orders after each write (their new dates already
        written), and each order the run moved gets one chatter note."""
        seen = []
        workorder_class = type(self.env["mrp.workorder"])
        original = workorder_class._aps_after_plan_write

        def observe(workorders, run):
            seen.append((run, {wo.id: (wo.workcenter_id.id, wo.date_start) for wo in workorders}))
            return original(workorders, run)

        before = {wo.id: wo.date_start for wo in self.productions.workorder_ids}
        with patch.object(workorder_class, "_aps_after_plan_write", observe):
            run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertEqual(len(seen), 1, "called once per run")
        hook_run, positions = seen[0]
        self.assertEqual(hook_run, run)
        moved = {wo.id for wo in self.productions.workorder_ids if wo.date_start != before[wo.id]}
        self.assertEqual(set(positions), moved)
        self.assertEqual(len(moved), run.moved_count)
        for wo in self.productions.workorder_ids.filtered(lambda w: w.id in moved):
            self.assertEqual(positions[wo.id], (wo.workcenter_id.id, wo.date_start))
        for production in self.productions:
            notes = production.message_ids.filtered(lambda m: run.name in (m.body or ""))
            self.assertEqual(len(notes), 1, production.name)
            self.assertIn("Planned by %s: start" % run.name, notes.body)
