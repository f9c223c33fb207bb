import threading
import time
from datetime import timedelta
from unittest.mock import patch

import psycopg2.errors

from odoo import fields, sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.med_job.tests.common import serialization_failure_on

from ..services.plan_writer import PlanWriter
from ..services.problem_builder import ProblemBuilder
from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsPlanRepair(MedApsCommon):
    """Events answered by one coalesced repair that keeps fixed work where it is and says
    why it moved what it moved."""

    def setUp(self):
        super().setUp()
        self.productions = (
            self._create_mo(self.catheter_a, self.bom_a, deadline_days=2)
            | self._create_mo(self.catheter_b, self.bom_b, deadline_days=3)
            | self._create_mo(self.catheter_a, self.bom_a, deadline_days=4)
        )
        self.company.aps_repair_time_limit = self.TIME_LIMIT
        # a replan of the whole plant answers the events before it (the confirmations)
        first = self._run()
        self.assertEqual(first.state, "done", first.failure_reason)
        self.Repair = self.env["med.aps.plan.repair"]
        self.Event = self.env["med.aps.plan.event"]
        confirmed = self.Event.search([("company_id", "=", self.company.id)])
        self.assertEqual(confirmed.mapped("kind"), ["production_confirmed"] * 3)
        self.assertEqual(set(confirmed.mapped("state")), {"handled"})
        self.assertEqual(confirmed.repair_run_id, first)

    def _repairs(self):
        return self.env["med.aps.run"].search(
            [("company_id", "=", self.company.id), ("trigger", "=", "repair")]
        )

    def _overrun_first_molding(self, hours=4):
        first = self.productions[0]
        molding = first.workorder_ids.sorted("sequence")[0]
        molding.button_start()
        molding.duration = molding.duration_expected + 60 * hours
        molding.button_finish()
        return molding

    def test_events_are_answered_by_one_repair(self):
        molding = self._overrun_first_molding()
        rush = self._create_mo(self.catheter_b, self.bom_b, deadline_days=1, priority="1")
        events = self.Event.search(
            [("company_id", "=", self.company.id), ("state", "=", "pending")]
        )
        self.assertEqual(
            sorted(events.mapped("kind")),
            ["production_confirmed", "workorder_finished", "workorder_started"],
        )
        self.assertEqual(set(events.mapped("state")), {"pending"})
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        self.assertEqual(repair.state, "queued")
        self.assertEqual(repair.repair_event_ids, events)
        self.assertEqual(repair.time_limit, self.TIME_LIMIT)
        # while it is queued, more calls make no second repair
        self.Repair._cron_repair_plans()
        self.assertEqual(len(self._repairs()), 1)

        done_dates = (molding.date_start, molding.date_finished)
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.assertEqual(set(events.mapped("state")), {"handled"})
        # the finished work order keeps its actual dates; the rush order is planned
        self.assertEqual((molding.date_start, molding.date_finished), done_dates)
        self.assertTrue(rush.aps_planned_finish)
        # an order the repair moved says how far and why
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "mrp.production"),
                ("res_id", "in", (self.productions | rush).ids),
                ("body", "ilike", repair.name),
            ]
        )
        self.assertTrue(notes)
        self.assertTrue(any("ran 4.0 h over" in note.body for note in notes), notes.mapped("body"))
        _problem, _plan, violations = self._rebuild_and_validate(repair)
        self.assertEqual(violations, [])

    def test_locked_and_started_work_keeps_its_place(self):
        second = self.productions[1]
        second.action_aps_lock()
        running = self.productions[2].workorder_ids.sorted("sequence")[0]
        running.button_start()
        kept = second.workorder_ids | running
        before = {wo.id: (wo.workcenter_id, wo.date_start) for wo in kept}
        self._overrun_first_molding(hours=6)
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.assertEqual({wo.id: (wo.workcenter_id, wo.date_start) for wo in kept}, before)

    def test_frozen_window_of_the_company(self):
        self.company.aps_repair_frozen_hours = 24 * 30
        now = fields.Datetime.now()
        workorders = self.productions.workorder_ids.filtered(
            lambda wo: wo.state not in ("done", "cancel") and wo.date_start >= now
        )
        before = {wo.id: (wo.workcenter_id, wo.date_start) for wo in workorders}
        self.productions[1].action_cancel()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        self.assertEqual(repair.frozen_hours, 24 * 30)
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        kept = workorders.filtered(lambda wo: wo.production_id != self.productions[1])
        self.assertEqual(
            {wo.id: (wo.workcenter_id, wo.date_start) for wo in kept},
            {wo_id: before[wo_id] for wo_id in kept.ids},
        )

    def test_repair_switched_off(self):
        self.company.aps_repair_enabled = False
        self._overrun_first_molding()
        events = self.Event.search(
            [("company_id", "=", self.company.id), ("kind", "like", "workorder_")]
        )
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("state")), {"ignored"})
        self.Repair._cron_repair_plans()
        self.assertFalse(self._repairs())

    def test_a_queued_repair_does_not_plan_once_repair_is_switched_off(self):
        molding = self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        events = repair.repair_event_ids
        self.company.aps_repair_enabled = False
        before = self._snapshot(self.productions)
        # the processing scheduled action takes the queued repair
        self.env["med.aps.run"]._cron_process_queued_runs()
        self.assertEqual(repair.state, "cancelled")
        self.assertEqual(
            repair.failure_reason,
            "Plan repair was switched off for %s after this repair was queued: it ended "
            "without planning. Its events are ignored; replan to answer them." % self.company.name,
        )
        self.assertEqual(self._snapshot(self.productions), before)
        self.assertNotEqual(molding.aps_run_id, repair)
        self.assertEqual(set(events.mapped("state")), {"ignored"})

    def test_a_repair_pays_the_company_cost_of_a_move(self):
        full_replan = self.env["med.aps.run"].new({})
        self.company.aps_repair_move_cost_minutes = 90
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        # 90 minutes of lateness of a normal-priority order, at the run's tardiness weight
        self.assertEqual(repair.weight_stability, 90 * repair.weight_tardiness)
        self.assertGreater(repair.weight_stability, full_replan.weight_stability)

    def test_a_move_cost_out_of_range_is_refused(self):
        self.company.aps_repair_move_cost_minutes = 120
        for minutes in (-1, 7 * 24 * 60 + 1):
            with self.assertRaises(ValidationError) as refused:
                self.company.aps_repair_move_cost_minutes = minutes
            self.assertIn(self.company.name, str(refused.exception))
            self.assertIn("a move cannot cost more than a week", str(refused.exception))
            self.company.invalidate_recordset(["aps_repair_move_cost_minutes"])
            self.assertEqual(self.company.aps_repair_move_cost_minutes, 120)

    def test_a_failed_repair_leaves_its_events_for_the_next(self):
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        reason = "Work center Assembly has no working calendar: set its Working Hours."
        repair.sudo().write(
            {"state": "failed", "failure_reason": reason, "date_finished": fields.Datetime.now()}
        )
        events = repair.repair_event_ids
        self.assertEqual(set(events.mapped("state")), {"pending"})
        # the hourly run alone queues no repair that would fail the same way, again and again
        self.Repair._cron_repair_plans()
        self.assertEqual(self._repairs(), repair)
        self.assertEqual(events.repair_run_id, repair)
        self.assertEqual(set(events.mapped("repair_failure_reason")), {reason})
        # the next event's repair answers them too
        rush = self._create_mo(self.catheter_b, self.bom_b, deadline_days=1, priority="1")
        self.Repair._cron_repair_plans()
        next_repair = self._repairs() - repair
        self.assertEqual(len(next_repair), 1)
        self.assertEqual(next_repair.repair_event_ids.production_id, self.productions[0] | rush)
        self.assertEqual(events.repair_run_id, next_repair)
        self.assertTrue(
            self.env.ref("med_aps.ir_cron_med_aps_repair_plans").sudo().search_count([]) >= 1
        )
        # the wake-up of the repair: a trigger at the company's delay after the event
        triggers = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search([("cron_id", "=", self.env.ref("med_aps.ir_cron_med_aps_repair_plans").id)])
        )
        self.assertTrue(
            any(t.call_at >= fields.Datetime.now() + timedelta(minutes=1) for t in triggers)
        )

    def test_a_repair_whose_write_meets_the_shop_floor_repairs_again(self):
        """An operator's click on the rows a repair writes (often an edit, no event of its
        own): the repair is queued again for its events, twice in a row at most."""
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        events = repair.repair_event_ids
        before = self._snapshot(self.productions)
        conflicted = [repair]
        for _attempt in range(3):
            with (
                patch.object(
                    PlanWriter, "write_plan", side_effect=psycopg2.errors.SerializationFailure
                ),
                mute_logger("odoo.sql_db"),
            ):
                conflicted[-1]._process_now()
            self.assertEqual(conflicted[-1].state, "failed")
            self.assertEqual(self._snapshot(self.productions), before)
            again = self._repairs() - sum(conflicted, self.env["med.aps.run"])
            if not again:
                break
            self.assertEqual((again.state, again.trigger), ("queued", "repair"))
            self.assertEqual(again.repair_event_ids, events)
            self.assertEqual(again.conflict_retries, len(conflicted))
            self.assertEqual(again.time_limit, self.TIME_LIMIT)
            conflicted.append(again)
        self.assertEqual([run.conflict_retries for run in conflicted], [0, 1, 2])
        shop_floor = (
            "Orders changed on the shop floor while the plan was being written; nothing was "
            "written. "
        )
        self.assertEqual(
            [run.failure_reason for run in conflicted],
            [shop_floor + "A new repair plans again at once."] * 2
            + [shop_floor + "The next event or a replan plans again."],
        )
        # then its events wait, as after any failure; the next repair answers them
        self.assertEqual(events.repair_run_id, conflicted[-1])
        self.assertEqual(set(events.mapped("state")), {"pending"})
        self._create_mo(self.catheter_b, self.bom_b, deadline_days=1, priority="1")
        self.Repair._cron_repair_plans()
        [next_repair] = self._repairs() - sum(conflicted, self.env["med.aps.run"])
        self.assertEqual(next_repair.conflict_retries, 0)
        next_repair._process_now()
        self.assertEqual(next_repair.state, "done", next_repair.failure_reason)
        self.assertEqual(set(events.mapped("state")), {"handled"})

    def test_a_write_conflict_met_by_the_writers_locks_is_no_server_error(self):
        """PostgreSQL refuses the writer's row locks when the shop floor changed the rows
        after the run's snapshot: the run reports the conflict, nothing is written, and the
        server's log has no error for it (it is not a defect of the server). Each of the
        writer's locks, in the order it takes them."""
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        before = self._snapshot(self.productions)
        locks = (
            ("FOR UPDATE", "stock_move"),
            ("FROM mrp_workorder WHERE id = ANY", "FOR UPDATE"),
            ("FOR UPDATE OF w, p",),
            ("FROM mrp_production WHERE id = ANY", "FOR UPDATE"),
        )
        for fragments in locks:
            with self.subTest(lock=fragments), self.env.cr.savepoint() as attempt:
                with (
                    serialization_failure_on(*fragments),
                    self.assertNoLogs("odoo.sql_db", "ERROR"),
                ):
                    repair._process_now()
                self.assertEqual(repair.state, "failed")
                self.assertIn("Orders changed on the shop floor", repair.failure_reason)
                self.assertEqual(self._snapshot(self.productions), before)
                attempt.close(rollback=True)
            self.env.invalidate_all()
            self.assertEqual(repair.state, "queued")

    def test_a_planner_retries_a_failed_repair_with_its_events(self):
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        repair.sudo().write({"state": "failed", "date_finished": fields.Datetime.now()})
        events = repair.repair_event_ids
        repair.with_user(self.planner).action_retry()
        retry = self._repairs() - repair
        self.assertEqual((retry.trigger, retry.state), ("repair", "queued"))
        self.assertEqual(retry.repair_event_ids, events)
        retry._process_now()
        self.assertEqual(retry.state, "done", retry.failure_reason)
        self.assertEqual(set(events.mapped("state")), {"handled"})

    def test_a_repair_with_nothing_left_to_plan_is_done(self):
        """The plant's last open orders are cancelled: the repair answers the cancellations,
        writes nothing, and no other repair follows."""
        self.productions.action_cancel()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        events = repair.repair_event_ids
        self.assertEqual(set(events.mapped("kind")), {"production_cancelled"})
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.assertEqual(repair.progress_message, "Done: no pending work order left to plan")
        self.assertEqual((repair.workorder_count, repair.moved_count), (0, 0))
        self.assertFalse(
            self.productions.workorder_ids.filtered(lambda wo: wo.aps_run_id == repair)
        )
        self.assertEqual(set(events.mapped("state")), {"handled"})
        self.Repair._cron_repair_plans()
        self.assertEqual(self._repairs(), repair)
        # a planner's replan of nothing still says so
        run = self._run()
        self.assertEqual(run.state, "failed")
        self.assertEqual(
            run.failure_reason, "There is no pending work order to plan in the selected scope."
        )

    def test_a_running_work_order_gets_the_end_the_plan_gives_it(self):
        molding = self.productions[0].workorder_ids.sorted("sequence")[0]
        past = fields.Datetime.now() - timedelta(hours=3)
        molding.with_context(bypass_duration_calculation=True).write(
            {"date_start": past, "date_finished": past + timedelta(hours=1)}
        )
        # started late: Odoo keeps the end it had (in the past) or the start
        molding.button_start()
        self.assertLessEqual(molding.date_finished, fields.Datetime.now())
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        # its end is now the plan's: when the expected minutes still to log are done
        expected_end = molding.date_start + timedelta(minutes=molding.duration_expected)
        self.assertGreaterEqual(molding.date_finished, expected_end - timedelta(minutes=2))
        self.assertEqual(molding.leave_id.date_to, molding.date_finished)
        _problem, _plan, violations = self._rebuild_and_validate(repair)
        self.assertEqual(violations, [])

    # ------------------------------------------------------------------ api_replan(wait)
    def _replan_by_api(self, wait=True):
        return (
            self.env["med.aps.run"]
            .with_user(self.planner)
            .api_replan(params={"time_limit": self.TIME_LIMIT, "workers": 1}, wait=wait)
        )

    def test_api_replan_waits_behind_a_queued_repair(self):
        """A repair is queued when the API asks for a replan in the request: the repair goes
        first, in that request, then the replan; neither fails nor collides."""
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        self.assertEqual(repair.state, "queued")
        result = self._replan_by_api()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.assertEqual(set(repair.repair_event_ids.mapped("state")), {"handled"})
        run = self.env["med.aps.run"].browse(result["id"])
        self.assertEqual(result["state"], "done", run.failure_reason)
        self.assertEqual(run.trigger, "api")
        self.assertLessEqual(repair.date_finished, run.date_started)

    def test_a_repair_failing_for_a_waiting_replan_leaves_its_events_to_it(self):
        """The repair a replan in the request processes first meets the shop floor's write:
        no repair again (the request's snapshot would meet it again), the replan answers
        its events."""
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        events = repair.repair_event_ids
        real_write_plan = PlanWriter.write_plan
        writes = []

        def write_plan_meeting_the_shop_floor_once(writer):
            writes.append(writer)
            if len(writes) == 1:
                raise psycopg2.errors.SerializationFailure
            return real_write_plan(writer)

        with (
            patch.object(PlanWriter, "write_plan", write_plan_meeting_the_shop_floor_once),
            mute_logger("odoo.sql_db"),
        ):
            result = self._replan_by_api()
        self.assertEqual(len(writes), 2)
        self.assertEqual(repair.state, "failed")
        self.assertTrue(repair.failure_reason.endswith("The next event or a replan plans again."))
        self.assertEqual(self._repairs(), repair)
        run = self.env["med.aps.run"].browse(result["id"])
        self.assertEqual(result["state"], "done", run.failure_reason)
        self.assertEqual(events.repair_run_id, run)
        self.assertEqual(set(events.mapped("state")), {"handled"})

    def test_api_replan_waits_while_a_repair_runs(self):
        """A worker is processing the company's repair (it holds the company's lock): the
        replan in the request waits until it is finished instead of failing."""
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        repair.sudo().write({"state": "running"})
        key = self._company_lock_key()
        with sql_db.db_connect(self.env.cr.dbname).cursor() as worker_cr:
            worker_cr.execute("SELECT pg_advisory_lock(%s, %s)", key)
            # the repair's worker finishes in 1.5 s
            finish = threading.Timer(
                1.5, lambda: worker_cr.execute("SELECT pg_advisory_unlock_all()")
            )
            start = time.monotonic()
            finish.start()
            try:
                result = self._replan_by_api()
            finally:
                finish.join()
        self.assertGreaterEqual(time.monotonic() - start, 1.4)
        self.assertEqual(result["state"], "done")

    def test_api_replan_behind_a_running_repair_times_out_or_queues(self):
        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        repair.sudo().write({"state": "running"})
        Run = self.env["med.aps.run"].with_user(self.planner)
        with sql_db.db_connect(self.env.cr.dbname).cursor() as worker_cr:
            worker_cr.execute("SELECT pg_advisory_lock(%s, %s)", self._company_lock_key())
            try:
                with self.assertRaisesRegex(UserError, "still running after 1 s"):
                    Run._aps_wait_for_repair(self.company, timeout=0.6)
                # not waiting: queued behind the repair, no error
                queued = self._replan_by_api(wait=False)
                self.assertEqual(queued["state"], "queued")
            finally:
                worker_cr.execute("SELECT pg_advisory_unlock_all()")

    def test_every_kind_of_event_is_answered_by_one_repair_with_its_reason(self):
        """Work-order start, pause, resume, a quantity reported, a scrap, a quantity change,
        a cancellation, a blocked and unblocked work center, a new order and a finish with
        its time logs: one repair answers them all and names them (receipts: see the event
        tests; lots: the quality bridge's)."""
        first, second, third = self.productions
        molding = first.workorder_ids.sorted("sequence")[0]
        molding.button_start()
        molding.button_pending()
        molding.button_start()
        molding.qty_produced = 1
        self.env["stock.scrap"].create(
            {
                "product_id": self.resin.id,
                "production_id": second.id,
                "scrap_qty": 2,
                "company_id": self.company.id,
            }
        ).do_scrap()
        self.env["change.production.qty"].create(
            {"mo_id": third.id, "product_qty": 2}
        ).change_prod_qty()
        cancelled = self._create_mo(self.catheter_b, self.bom_b, deadline_days=6)
        cancelled.action_cancel()
        loss = self.env["mrp.workcenter.productivity.loss"].search(
            [("loss_type", "=", "availability")], limit=1
        )
        self.env["mrp.workcenter.productivity"].create(
            {
                "workcenter_id": self.wc_assembly.id,
                "loss_id": loss.id,
                "company_id": self.company.id,
            }
        )
        self.wc_assembly.unblock()
        rush = self._create_mo(self.catheter_b, self.bom_b, deadline_days=1, priority="1")
        molding.duration = molding.duration_expected + 120
        molding.button_finish()

        pending = self.Event.search(
            [("company_id", "=", self.company.id), ("state", "=", "pending")], order="id"
        )
        self.assertEqual(
            set(pending.mapped("kind")),
            {
                "workorder_started",
                "workorder_paused",
                "workorder_resumed",
                "workorder_produced",
                "production_scrapped",
                "production_quantity",
                "production_confirmed",
                "production_cancelled",
                "workcenter_blocked",
                "workcenter_unblocked",
                "workorder_finished",
            },
        )
        produced = pending.filtered(lambda e: e.kind == "workorder_produced")
        self.assertEqual(produced.workorder_id, molding)
        self.assertIn("1 Units produced (was 0)", produced.message)
        scrapped = pending.filtered(lambda e: e.kind == "production_scrapped")
        self.assertEqual(scrapped.production_id, second)
        self.assertIn("%s: 2 Units Resin scrapped" % second.name, scrapped.message)
        # one coalesced repair for all of them, whose reason names each
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        self.assertEqual(repair.repair_event_ids, pending)
        reason = repair._aps_repair_reason(limit=len(pending))
        for event in pending:
            self.assertTrue(event.message)
            self.assertIn(event.message, reason)
        self.assertIn("more events", repair._aps_repair_reason())
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.assertEqual(set(pending.mapped("state")), {"handled"})
        self.assertTrue(rush.aps_planned_finish)
        _problem, _plan, violations = self._rebuild_and_validate(repair)
        self.assertEqual(violations, [])

    def test_a_work_order_finished_during_a_repair_keeps_its_actual_dates(self):
        from med_aps_engine import solve as real_solve

        self._overrun_first_molding()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        second_molding = self.productions[1].workorder_ids.sorted("sequence")[0]

        def solve_while_the_operator_finishes(problem, options=None):
            plan = real_solve(problem, options=options)
            # meanwhile, on the shop floor
            second_molding.button_start()
            second_molding.button_finish()
            return plan

        with patch("med_aps_engine.solve", solve_while_the_operator_finishes):
            repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.env.invalidate_all()
        self.assertEqual(second_molding.state, "done")
        self.assertNotEqual(second_molding.aps_run_id, repair)
        self.assertIn(second_molding.display_name, repair.skipped_note)
        finished = (second_molding.date_start, second_molding.date_finished)
        # its events wait for the next repair, which leaves the finished work alone too
        later = self.Event.search([("state", "=", "pending")])
        self.assertEqual(later.workorder_id, second_molding)
        self.Repair._cron_repair_plans()
        next_repair = self._repairs() - repair
        next_repair._process_now()
        self.assertEqual(next_repair.state, "done", next_repair.failure_reason)
        self.assertEqual((second_molding.date_start, second_molding.date_finished), finished)

    def test_an_order_finished_during_a_repair_keeps_its_dates(self):
        """Every work order of the order runs (none free for the repair to skip) and the
        operator finishes the order while the repair solves: its dates, planned finish and
        chatter stay as its finish left them."""
        from med_aps_engine import solve as real_solve

        first = self.productions[0]
        first.workorder_ids.sorted("sequence").button_start()
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        finished = {}

        def solve_while_the_operator_finishes(problem, options=None):
            plan = real_solve(problem, options=options)
            # meanwhile, on the shop floor
            first.workorder_ids.button_finish()
            first.qty_producing = first.product_qty
            for move in first.move_raw_ids:
                move.quantity = move.product_uom_qty
            first.move_raw_ids.picked = True
            first.with_context(skip_consumption=True, skip_backorder=True).button_mark_done()
            first.flush_recordset()
            finished.update(
                state=first.state,
                dates=(first.date_start, first.date_finished),
                planned_finish=first.aps_planned_finish,
                late_causes=first.aps_late_causes,
                run=first.aps_last_run_id,
            )
            return plan

        with patch("med_aps_engine.solve", solve_while_the_operator_finishes):
            repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.env.invalidate_all()
        self.assertEqual(finished["state"], "done")
        self.assertEqual(first.state, "done")
        self.assertEqual((first.date_start, first.date_finished), finished["dates"])
        self.assertEqual(first.aps_planned_finish, finished["planned_finish"])
        self.assertEqual(first.aps_late_causes, finished["late_causes"])
        self.assertEqual(first.aps_last_run_id, finished["run"])
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "mrp.production"),
                ("res_id", "=", first.id),
                ("body", "ilike", repair.name),
            ]
        )
        self.assertFalse(notes, notes.mapped("body"))

    def test_a_running_work_order_counts_the_minutes_of_its_open_time_log(self):
        """Odoo's stored duration counts an open time log only once it closes: the minutes
        worked since the last start are not planned again from now."""
        molding = self.productions[0].workorder_ids.sorted("sequence")[0]
        molding.button_start()
        expected = molding.duration_expected
        worked = int(expected // 2)
        self.assertGreater(worked, 5)
        # the operator has worked on it for `worked` minutes, the timer still running
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mrp_workcenter_productivity "
            "SET date_start = date_start - %s * interval '1 minute' "
            "WHERE workorder_id = %s AND date_end IS NULL",
            [worked, molding.id],
        )
        self.env.cr.execute(
            "UPDATE mrp_workorder SET date_start = date_start - %s * interval '1 minute' "
            "WHERE id = %s",
            [worked, molding.id],
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(molding.duration, 0.0, delta=1)
        self.Repair._cron_repair_plans()
        [repair] = self._repairs()
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.env.invalidate_all()
        # the rest of its work from the repair on, in the press's working time (the plant
        # may be closed now: then it goes on in the morning)
        planned = (
            self.calendar.get_work_duration_data(
                repair.plan_origin, molding.date_finished, compute_leaves=False
            )["hours"]
            * 60
        )
        self.assertAlmostEqual(planned, expected - worked, delta=2)

    def test_the_minutes_worked_are_read_at_once_for_all_running_work_orders(self):
        builder = ProblemBuilder(self.env["med.aps.run"].new({"company_id": self.company.id}))
        workorders = self.productions.workorder_ids

        def queries_to_read_worked_minutes(running):
            running.button_start()
            self.env.flush_all()
            self.env.invalidate_all()
            builder.fixed = {workorder.id: "progress" for workorder in running}
            before = self.env.cr.sql_log_count
            worked = builder._read_worked_minutes(workorders)
            self.assertEqual(set(worked), set(running.ids))
            return self.env.cr.sql_log_count - before

        first_steps = self.productions.mapped(lambda mo: mo.workorder_ids.sorted("sequence")[0])
        one = queries_to_read_worked_minutes(first_steps[0])
        three = queries_to_read_worked_minutes(first_steps)
        self.assertEqual(three, one)
