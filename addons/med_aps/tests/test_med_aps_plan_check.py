import logging
import random
from datetime import timedelta
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, fields, sql_db
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools import float_round, format_datetime

from ..models import med_aps_plan_check as plan_check_module
from .common import MedApsCommon

EXECUTION_KINDS = ("overrun", "not_started", "overlap", "blocked_workcenter", "deadline")


@tagged("post_install", "-at_install")
class TestMedApsPlanCheck(MedApsCommon):
    """The stored plan checked against the shop floor: each kind of problem found, said in
    a planner's words, shown on the order."""

    def setUp(self):
        super().setUp()
        self.first = self._create_mo(self.catheter_a, self.bom_a, deadline_days=3)
        self.second = self._create_mo(self.catheter_b, self.bom_b, deadline_days=4)
        run = self._run(self.first | self.second)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.now = fields.Datetime.now().replace(microsecond=0)

    def _check(self):
        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        return check, {
            kind: check.issue_ids.filtered(lambda i, k=kind: i.kind == k)
            for kind in dict(check.issue_ids._fields["kind"].selection)
        }

    def test_the_scheduled_check_skips_a_company_whose_plan_is_being_written(self):
        Check = self.env["med.aps.plan.check"]
        original = type(Check)._aps_check_company
        # the cursor's log, collected here instead of the test log
        sql_logger = logging.getLogger("odoo.sql_db")
        seen = []
        collect = logging.Handler()
        collect.emit = seen.append
        attempted = []

        def conflicting_first(model, company):
            attempted.append(company)
            if len(attempted) == 1:
                # what the cursor logs and raises when another worker wrote the plan meanwhile
                model.env.cr.execute("SELECT 1")  # inside the savepoint
                failure = psycopg2.errors.SerializationFailure("concurrent update")
                sql_logger.error("bad query: %s\nERROR: %s", "INSERT INTO x", failure)
                raise failure
            sql_logger.error("bad query: %s\nERROR: %s", "SELECT broken", "syntax error")
            return original(model, company)

        before = Check.sudo().search([]).ids
        cron = self.env.ref("med_aps.ir_cron_med_aps_plan_check").sudo()
        # its regular call (on the database's clock), nothing asked for
        cron.nextcall = self.env.cr.now() - timedelta(minutes=1)
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        Request = self.env["med.aps.plan.check.request"].sudo()
        Request.search([]).unlink()
        saved = sql_logger.handlers, sql_logger.propagate
        sql_logger.handlers, sql_logger.propagate = [collect], False
        try:
            with (
                patch.object(type(Check), "_aps_check_company", conflicting_first),
                patch.object(plan_check_module._logger, "info") as logged,
            ):
                Check._cron_check_plans()
        finally:
            sql_logger.handlers, sql_logger.propagate = saved
        self.assertIn(self.company, attempted)
        skipped = attempted[0]
        message, name = logged.call_args.args
        self.assertIn("skipped: its plan was being written", message)
        self.assertEqual(name, skipped.name)
        # the handled conflict is not logged as an error; any other failed query is
        self.assertEqual([r.args[0] for r in seen], ["SELECT broken"] * (len(attempted) - 1))
        new_checks = Check.sudo().search([("id", "not in", before)])
        self.assertNotIn(skipped, new_checks.company_id)
        # the other companies were checked all the same
        self.assertEqual(new_checks.company_id, self.env["res.company"].union(*attempted[1:]))
        # the skipped one is asked for now, and checked again in a minute
        self.assertEqual(Request.search([]).company_id, skipped)
        [trigger] = Trigger.search([("cron_id", "=", cron.id)])
        self.assertGreater(trigger.call_at, fields.Datetime.now())
        self.assertLessEqual(trigger.call_at, fields.Datetime.now() + timedelta(minutes=1))

    def _molding(self, production):
        return production.workorder_ids.filtered(lambda wo: wo.name == "Molding")

    def test_an_event_or_a_plan_written_brings_the_check_forward(self):
        """The scheduled check runs at once after an event or a plan written (Odoo runs a
        scheduled action once for the triggers due), not only every 10 minutes; a check
        that records overrun events does not ask for another."""
        cron = self.env.ref("med_aps.ir_cron_med_aps_plan_check")
        Trigger = self.env["ir.cron.trigger"].sudo()

        def triggers():
            return Trigger.search([("cron_id", "=", cron.id)])

        triggers().unlink()
        self._molding(self.first).button_start()
        [trigger] = triggers()
        self.assertLessEqual(trigger.call_at, fields.Datetime.now() + timedelta(minutes=1))
        triggers().unlink()
        run = self._run(self.second)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertEqual(len(triggers()), 1)
        # the check finds the running work order past its end and records an overrun event
        triggers().unlink()
        running = self._molding(self.first)
        self._dates(running, self.now - timedelta(hours=3), self.now - timedelta(minutes=90))
        Event = self.env["med.aps.plan.event"]
        before = Event.search_count([("kind", "=", "workorder_overrun")])
        self._check()
        self.assertEqual(Event.search_count([("kind", "=", "workorder_overrun")]), before + 1)
        self.assertFalse(triggers())

    def test_the_scheduled_check_checks_the_companies_asked_for(self):
        """An event or a plan written asks for a check of its company: a call of the
        scheduled action brought forward by it checks that company, not the others; its
        regular calls check every company with open orders."""
        Check = self.env["med.aps.plan.check"]
        Request = self.env["med.aps.plan.check.request"].sudo()
        cron = self.env.ref("med_aps.ir_cron_med_aps_plan_check").sudo()
        other = self.env["res.company"].create({"name": "Plan Check Plant B"})
        both = self.company | other
        moment = fields.Datetime.now().replace(microsecond=0)
        for company in both:
            Check._aps_check_company(company)
        Request.search([]).unlink()
        self.assertFalse(Check._aps_companies_to_check(both, Request, moment))
        # an event of the first company: the first only, once for a burst of events
        self._molding(self.first).button_start()
        self._molding(self.second).button_start()
        requests = Request.search([])
        self.assertEqual(requests.company_id, self.company)
        self.assertEqual(len(requests), 1)
        self.assertEqual(Check._aps_companies_to_check(both, requests, moment), self.company)
        # a plan written in the second
        Check._aps_check_soon(other)
        requests = Request.search([])
        self.assertEqual(Check._aps_companies_to_check(both, requests, moment), both)
        # never checked
        third = self.env["res.company"].create({"name": "Plan Check Plant C"})
        self.assertEqual(Check._aps_companies_to_check(third, Request, moment), third)
        # last checked an interval of the action ago, less a minute: a regular call missed
        self.assertEqual((cron.interval_number, cron.interval_type), (10, "minutes"))
        self.assertFalse(
            Check._aps_companies_to_check(both, Request, moment + timedelta(minutes=8))
        )
        self.assertEqual(
            Check._aps_companies_to_check(both, Request, moment + timedelta(minutes=10)), both
        )

        # the scheduled action answers the requests it saw
        checked = []

        def call(next_call):
            checked.clear()
            cron.nextcall = next_call
            with (
                patch.object(
                    type(Check),
                    "_aps_check_company",
                    lambda model, company: checked.append(company),
                ),
                patch("odoo.fields.Datetime.now", return_value=moment),
            ):
                Check._cron_check_plans()

        brought_forward = self.env.cr.now() + timedelta(minutes=5)
        call(brought_forward)
        self.assertIn(self.company, checked)
        self.assertNotIn(other, checked, "no open order: nothing to check")
        self.assertFalse(Request.search([]), "every request answered")
        call(brought_forward)
        self.assertNotIn(self.company, checked, "nothing asked for it")
        # its regular call (due on the database's clock): every company with open orders
        call(self.env.cr.now() - timedelta(minutes=1))
        self.assertIn(self.company, checked)

    def test_a_company_whose_check_fails_does_not_stop_the_others(self):
        Check = self.env["med.aps.plan.check"]
        Request = self.env["med.aps.plan.check.request"].sudo()
        other = self.env["res.company"].create({"name": "Plan Check Plant B"})
        for company in self.company | other:
            Check._aps_check_soon(company)
        original = type(Check)._aps_check_company

        def failing_first(model, company):
            if company == self.company:
                raise ValueError("a broken work center")
            return original(model, company)

        before = Check.sudo().search([]).ids
        with (
            patch.object(type(Check), "_aps_regular_call", lambda model, now: False),
            patch.object(
                type(Check),
                "_aps_companies_to_check",
                lambda model, companies, requests, now: self.company | other,
            ),
            patch.object(type(Check), "_aps_check_company", failing_first),
            self.assertLogs(plan_check_module._logger.name, "ERROR") as logged,
        ):
            Check._cron_check_plans()
        [record] = logged.records
        self.assertEqual(record.getMessage(), "Plan check of APS Test Plant failed")
        self.assertIn("a broken work center", record.exc_text or str(record.exc_info))
        self.assertEqual(Check.sudo().search([("id", "not in", before)]).company_id, other)
        self.assertFalse(Request.search([]), "both answered: the regular calls try again")

    def test_a_fresh_plan_has_no_execution_problem(self):
        check, found = self._check()
        for kind in EXECUTION_KINDS:
            self.assertFalse(found[kind], found[kind].mapped("message"))
        self.assertGreaterEqual(check.duration_ms, 0)
        # a new check replaces the earlier one
        again, _found = self._check()
        self.assertFalse(check.exists())
        self.assertTrue(again.exists())

    # dates are written with bypass_duration_calculation: as given, the way the plan writer
    # stores them (Odoo's write would recompute the end from the duration)

    def test_overrun_and_not_started(self):
        running = self._molding(self.first)
        running.button_start()
        running.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": self.now - timedelta(hours=4),
                "date_finished": self.now - timedelta(hours=2),
            }
        )
        waiting = self._molding(self.second)
        waiting.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": self.now - timedelta(hours=3),
                "date_finished": self.now + timedelta(hours=1),
            }
        )
        _check, found = self._check()
        [overrun] = found["overrun"]
        self.assertEqual(overrun.workorder_id, running)
        self.assertAlmostEqual(overrun.hours, 2.0, delta=0.1)
        self.assertIn("runs 2.0 h past its planned end", overrun.message)
        self.assertIn(self.wc_molding_1.name, overrun.message)
        not_started = found["not_started"].filtered(lambda i: i.workorder_id == waiting)
        self.assertEqual(len(not_started), 1)
        self.assertIn("should have started", not_started.message)
        # the order says it at the top of its form
        self.first.invalidate_recordset(["aps_plan_issue_note"])
        self.assertIn("past its planned end", self.first.aps_plan_issue_note)
        # and so does the work order (its form, the list, the timeline)
        (running | waiting).invalidate_recordset(["aps_plan_issue_note"])
        self.assertIn("past its planned end", running.aps_plan_issue_note)
        self.assertNotIn("past its planned end", waiting.aps_plan_issue_note)
        self.assertIn("should have started", waiting.aps_plan_issue_note)

    def test_an_overrun_while_running_is_a_plan_event_once_per_step(self):
        """No button pressed: the check finds the work order past its planned end and records
        a plan event (a repair follows), once per work order and hour of overrun."""
        Event = self.env["med.aps.plan.event"]
        running = self._molding(self.first)
        running.button_start()
        planned_end = self.now - timedelta(minutes=90)
        running.with_context(bypass_duration_calculation=True).write(
            {"date_start": self.now - timedelta(hours=3), "date_finished": planned_end}
        )
        started = Event.search([("kind", "=", "workorder_started")])
        self.assertEqual(started.workorder_id, running)

        def overruns():
            return Event.search([("kind", "=", "workorder_overrun")], order="id")

        self._check()
        [event] = overruns()
        self.assertEqual(event.workorder_id, running)
        self.assertEqual(event.production_id, self.first)
        self.assertEqual(event.workcenter_id, running.workcenter_id)
        self.assertEqual(event.date_planned_end, planned_end)
        self.assertAlmostEqual(event.hours, 1.0)
        self.assertEqual(event.state, "pending")
        self.assertEqual(
            event.message, "%s runs past its planned end by 1.0 h" % running.display_name
        )
        # the same overrun found again (the next check, ten minutes later): no new event
        self._check()
        with freeze_time(self.now + timedelta(minutes=20)):
            self._check()
        self.assertEqual(overruns(), event)
        # an hour later it has run 2 h past its end: the next step
        with freeze_time(self.now + timedelta(minutes=35)):
            self._check()
        second = overruns() - event
        self.assertEqual(len(second), 1)
        self.assertAlmostEqual(second.hours, 2.0)
        self.assertIn("runs past its planned end by 2.0 h", second.message)
        # the events queue one repair, which answers both
        self.env["med.aps.plan.repair"]._cron_repair_plans()
        repair = second.repair_run_id
        self.assertEqual(repair.trigger, "repair")
        self.assertEqual(event.repair_run_id, repair)
        self.assertIn("runs past its planned end by 1.0 h", repair._aps_repair_reason())
        repair._process_now()
        self.assertEqual(repair.state, "done", repair.failure_reason)
        self.assertEqual(set(overruns().mapped("state")), {"handled"})
        # the repair gave the running work order a new end: its next overrun counts from it
        self.assertGreaterEqual(running.date_finished, self.now - timedelta(minutes=1))
        new_end = running.date_finished
        with freeze_time(new_end + timedelta(minutes=70)):
            self._check()
        third = overruns() - event - second
        self.assertEqual(len(third), 1)
        self.assertEqual(third.date_planned_end, new_end)
        self.assertAlmostEqual(third.hours, 1.0)
        # a step of 4 hours (system parameter): nothing until 4 h past the end
        self.env["ir.config_parameter"].sudo().set_param("med_aps.overrun_step_hours", "4")
        with freeze_time(new_end + timedelta(hours=3)):
            self._check()
        self.assertEqual(len(overruns()), 3)
        # plan repair off: the overrun is recorded, ignored (no repair follows)
        self.company.aps_repair_enabled = False
        with freeze_time(new_end + timedelta(hours=4, minutes=5)):
            self._check()
        fourth = overruns() - event - second - third
        self.assertEqual(fourth.state, "ignored")

    def test_overlap_on_one_work_center(self):
        first, second = self._molding(self.first), self._molding(self.second)
        second.workcenter_id = first.workcenter_id
        start = self.now + timedelta(days=2)
        first.with_context(bypass_duration_calculation=True).write(
            {"date_start": start, "date_finished": start + timedelta(hours=2)}
        )
        second.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": start + timedelta(hours=1),
                "date_finished": start + timedelta(hours=3),
            }
        )
        _check, found = self._check()
        [overlap] = found["overlap"]
        self.assertEqual(overlap.workorder_id | overlap.other_workorder_id, first | second)
        self.assertAlmostEqual(overlap.hours, 1.0, delta=0.01)
        self.assertIn("overlaps", overlap.message)

    def test_overlaps_are_every_pair_that_shares_time(self):
        """Whatever the order of starts and ends, exactly the pairs of work orders sharing
        time on one unit are reported, a batch's work orders apart."""
        rng = random.Random(7)
        productions = self.first | self.second
        for _index in range(8):
            productions |= self._create_mo(self.catheter_a, self.bom_a)
        moldings = productions.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        workcenter = self._molding(self.first).workcenter_id
        # inside the presses' working hours (06:00-22:00 UTC on weekdays): dates written
        # across their closing were seen stored with another end
        start = (self.now + timedelta(days=2)).replace(hour=8, minute=0, second=0)
        while start.weekday() >= 5:
            start += timedelta(days=1)
        spans = {}
        for workorder in moldings:
            begin = start + timedelta(minutes=30 * rng.randint(0, 12))
            spans[workorder] = (begin, begin + timedelta(minutes=30 * rng.randint(1, 4)))
        # two of them share one batch: the same slot, and no overlap between them
        batch = moldings[:2]
        spans[batch[1]] = spans[batch[0]]
        for workorder, (begin, end) in spans.items():
            workorder.with_context(bypass_duration_calculation=True).write(
                {"workcenter_id": workcenter.id, "date_start": begin, "date_finished": end}
            )
        moldings.write({"aps_unit": 1, "aps_batch_ref": False})
        batch.write({"aps_batch_ref": "BATCH/1"})
        expected = {
            frozenset((a.id, b.id))
            for a in moldings
            for b in moldings
            if a.id < b.id
            and spans[a][0] < spans[b][1]
            and spans[b][0] < spans[a][1]
            and not (a in batch and b in batch)
        }
        _check, found = self._check()
        reported = {
            frozenset((issue.workorder_id.id, issue.other_workorder_id.id))
            for issue in found["overlap"]
        }
        self.assertGreater(len(expected), 3)
        self.assertEqual(reported, expected)

    def test_blocked_work_center_and_passed_deadline(self):
        loss = self.env["mrp.workcenter.productivity.loss"].search(
            [("loss_type", "=", "availability")], limit=1
        )
        self.env["mrp.workcenter.productivity"].create(
            {
                "workcenter_id": self.wc_assembly.id,
                "loss_id": loss.id,
                "date_start": self.now - timedelta(minutes=10),
                "company_id": self.company.id,
            }
        )
        self.assertEqual(self.wc_assembly.working_state, "blocked")
        self.second.date_deadline = self.now - timedelta(hours=1)
        _check, found = self._check()
        blocked = found["blocked_workcenter"]
        self.assertEqual(
            blocked.workorder_id,
            (self.first | self.second).workorder_ids.filtered(
                lambda wo: wo.workcenter_id == self.wc_assembly
            ),
        )
        self.assertIn("which is blocked", blocked[0].message)
        [deadline] = found["deadline"]
        self.assertEqual(deadline.production_id, self.second)
        self.assertIn("passed its deadline", deadline.message)

    def test_material_after_the_planned_start(self):
        gasket = self.env["product.product"].create({"name": "Gasket", "is_storable": True})
        bom = self.bom_a.copy({"bom_line_ids": [Command.create({"product_id": gasket.id})]})
        production = self._create_mo(self.catheter_a, bom)
        production.date_start = self.now + timedelta(hours=1)
        self.assertEqual(production.components_availability_state, "unavailable")
        _check, found = self._check()
        issue = found["material"].filtered(lambda i: i.production_id == production)
        self.assertEqual(len(issue), 1)
        self.assertIn("Material for %s" % production.name, issue.message)

    def test_who_may_check_and_read(self):
        self._check()
        self.env["med.aps.plan.issue"].with_user(self.aps_user).search([])
        with self.assertRaisesRegex(AccessError, "Only APS planners can check the plan"):
            self.env["med.aps.plan.issue"].with_user(self.aps_user).action_check_now()
        checks = self.env["med.aps.plan.check"].sudo().search([])
        action = self.env["med.aps.plan.issue"].with_user(self.planner).action_check_now()
        self.assertEqual(action["res_model"], "med.aps.plan.issue")
        self.assertNotEqual(self.env["med.aps.plan.check"].sudo().search([]), checks)
        operator = self.env["res.users"].create(
            {
                "name": "Plan Check Operator",
                "login": "plan_check_operator",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "group_ids": [Command.set([self.env.ref("mrp.group_mrp_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["med.aps.plan.issue"].with_user(operator).search([])

    def _dates(self, workorder, start, end):
        workorder.with_context(bypass_duration_calculation=True).write(
            {"date_start": start, "date_finished": end}
        )

    def test_an_order_the_plan_finishes_after_its_deadline(self):
        """Not only a deadline already passed: one the plan can no longer meet, once."""
        self.first.date_deadline = self.now + timedelta(minutes=10)
        self.assertTrue(self.first.aps_is_late)
        # the other order's deadline has passed and its plan finishes later still
        self.second.date_deadline = self.now - timedelta(hours=1)
        self.assertTrue(self.second.aps_is_late)
        _check, found = self._check()
        late = found["deadline"].filtered(lambda i: i.production_id == self.first)
        self.assertEqual(len(late), 1, "an order that can no longer meet its deadline")
        self.assertEqual(late.date, self.first.date_deadline)
        self.assertEqual(late.date_expected, self.first.aps_planned_finish)
        # the hours of the dates, as its message says them (not the stored two decimals,
        # rounded again)
        hours = self.first._aps_hours_late(self.first.aps_planned_finish, self.first.date_deadline)
        self.assertEqual(late.hours, float_round(hours, precision_digits=1))
        self.assertEqual(
            late.message,
            "%s is planned to finish on %s, %s after its deadline %s."
            % (
                self.first.name,
                format_datetime(self.env, self.first.aps_planned_finish),
                self.first.aps_tardiness_display,
                format_datetime(self.env, self.first.date_deadline),
            ),
        )
        [passed] = found["deadline"].filtered(lambda i: i.production_id == self.second)
        self.assertIn("passed its deadline", passed.message)

    def test_an_overlap_after_running_late(self):
        """The work order still running past its planned end runs into the next one."""
        first, second = self._molding(self.first), self._molding(self.second)
        second.workcenter_id = first.workcenter_id
        first.button_start()
        self._dates(first, self.now - timedelta(hours=2), self.now - timedelta(minutes=20))
        self._dates(second, self.now - timedelta(minutes=20), self.now + timedelta(minutes=40))
        _check, found = self._check()
        [overlap] = found["overlap"]
        self.assertEqual((overlap.workorder_id, overlap.other_workorder_id), (first, second))
        # from the planned start of the next one to now
        self.assertAlmostEqual(overlap.hours, 20 / 60, delta=0.05)
        self.assertEqual(
            overlap.message,
            "%s ran late on %s and overlaps %s by 0.3 h."
            % (first.display_name, first.workcenter_id.name, second.display_name),
        )

    def test_an_overlap_after_a_late_finish(self):
        """A work order finished late (done) still overlaps the next one planned before it
        actually ended."""
        first, second = self._molding(self.first), self._molding(self.second)
        second.workcenter_id = first.workcenter_id
        first.button_start()
        self._dates(first, self.now - timedelta(hours=2), self.now - timedelta(minutes=20))
        first.button_finish()  # now: 20 minutes late
        self.assertEqual(first.state, "done")
        self._dates(second, self.now - timedelta(minutes=20), self.now + timedelta(minutes=40))
        _check, found = self._check()
        [overlap] = found["overlap"]
        # filed on the open work order it overlaps, the finished one named as the cause
        self.assertEqual((overlap.workorder_id, overlap.other_workorder_id), (second, first))
        self.assertEqual(overlap.production_id, self.second)
        self.assertAlmostEqual(overlap.hours, 20 / 60, delta=0.05)
        self.assertEqual(
            overlap.message,
            "%s finished late on %s and overlaps %s by 0.3 h."
            % (first.display_name, first.workcenter_id.name, second.display_name),
        )
        # work orders finished on time overlap nothing
        self._dates(second, self.now + timedelta(minutes=5), self.now + timedelta(minutes=65))
        _check, found = self._check()
        self.assertFalse(found["overlap"])

    def test_an_overlap_shows_on_both_orders(self):
        first, second = self._molding(self.first), self._molding(self.second)
        second.workcenter_id = first.workcenter_id
        start = self.now + timedelta(days=2)
        self._dates(first, start, start + timedelta(hours=2))
        self._dates(second, start + timedelta(hours=1), start + timedelta(hours=3))
        _check, found = self._check()
        [overlap] = found["overlap"]
        productions = self.first | self.second
        productions.invalidate_recordset(["aps_plan_issue_note"])
        (first | second).invalidate_recordset(["aps_plan_issue_note"])
        for record in (self.first, self.second, first, second):
            self.assertIn(overlap.message, record.aps_plan_issue_note, record.display_name)

    def test_material_is_worded_in_the_readers_language(self):
        """The check runs in the scheduled action's language and time zone; each reader
        reads the material issue in their own."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["mrp", "med_aps"], ["zh_CN"])
        gasket = self.env["product.product"].create({"name": "Gasket", "is_storable": True})
        seal = self.env["product.product"].create({"name": "Seal", "is_storable": True})
        expected = self.now + timedelta(days=1)
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "scheduled_date": expected,
                "move_ids": [
                    Command.create({"product_id": seal.id, "product_uom_qty": 5, "date": expected})
                ],
            }
        )
        receipt.action_confirm()
        missing, late = (
            self._create_mo(
                self.catheter_a,
                self.bom_a.copy({"bom_line_ids": [Command.create({"product_id": part.id})]}),
            )
            for part in (gasket, seal)
        )
        (missing | late).date_start = self.now + timedelta(hours=1)
        self.assertEqual(missing.components_availability_state, "unavailable")
        self.assertEqual(late.components_availability_state, "late")
        root = self.env.ref("base.user_root")
        check = (
            self.env["med.aps.plan.check"]
            .with_user(root)
            .with_context(lang="en_US")
            ._aps_check_company(self.company)
        )
        self.env.user.tz = "Asia/Shanghai"
        reader = self.env(context=dict(self.env.context, lang="zh_CN"))
        issues = check.issue_ids.with_env(reader).filtered(lambda i: i.kind == "material")
        by_production = {issue.production_id: issue for issue in issues}
        for production in (missing, late):
            message = by_production[production].message
            self.assertNotIn("Not Available", message)
            self.assertNotIn("Exp ", message)
            self.assertIn(format_datetime(reader, production.date_start), message)
        self.assertEqual(by_production[late].date_expected, expected)
        self.assertIn(format_datetime(reader, expected), by_production[late].message)


@tagged("post_install", "-at_install")
class TestMedApsPlanCheckRules(MedApsCommon):
    """The stored plan checked with the engine's validator against the records as they are
    now: each broken planning rule found on the work order it concerns, in a planner's
    words, with the validator's own sentence beside it."""

    def setUp(self):
        super().setUp()
        # one press: both moldings on Molding 1, one after the other
        self.wc_molding_1.alternative_workcenter_ids = False
        self.first = self._create_mo(self.catheter_a, self.bom_a, deadline_days=3)
        self.second = self._create_mo(self.catheter_b, self.bom_b, deadline_days=4)
        run = self._run(self.first | self.second)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.now = fields.Datetime.now().replace(microsecond=0)

    def _rule_issues(self, rule=None):
        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        issues = check.issue_ids.filtered(lambda i: i.kind == "rule")
        return issues.filtered(lambda i: i.rule == rule) if rule else issues

    def _future_workorders(self):
        """The planned work orders that start at least an hour from now, in start order."""
        return (
            (self.first | self.second)
            .workorder_ids.filtered(lambda wo: wo.date_start >= self.now + timedelta(hours=1))
            .sorted("date_start")
        )

    def _time_off_at_start(self, workorder):
        """Time off on the work order's work center over its planned start."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Press maintenance",
                "calendar_id": self.calendar.id,
                "resource_id": workorder.workcenter_id.resource_id.id,
                "date_from": workorder.date_start - timedelta(minutes=5),
                "date_to": workorder.date_start + timedelta(minutes=20),
                "time_type": "leave",
            }
        )

    def test_a_fresh_plan_breaks_no_planning_rule(self):
        self.assertFalse(self._rule_issues().mapped("detail"))

    def _workorder_at_work_for(self, minutes):
        """The first future interruptible work order off batch work centers at work for
        ``minutes`` from its start within the presses' day (they close at 22:00: time off
        over the closing takes less work)."""
        for workorder in self._future_workorders().filtered(
            lambda wo: (
                not wo.workcenter_id.aps_batch_enabled and not wo.operation_id.aps_non_interruptible
            )
        ):
            start = workorder.date_start
            until = start + timedelta(minutes=minutes)
            if until <= start.replace(hour=22, minute=0) and until <= workorder.date_finished:
                return workorder
        self.fail("no planned work order works %s minutes from its start" % minutes)

    def test_time_off_added_over_planned_work(self):
        workorder = self._workorder_at_work_for(20)
        self._time_off_at_start(workorder)
        issues = self._rule_issues().filtered(lambda i: i.workorder_id == workorder)
        calendar = issues.filtered(lambda i: i.rule == "calendar")
        self.assertEqual(len(calendar), 1, issues.mapped("detail"))
        # the working time the closed time takes is that issue's too, not one more issue
        self.assertEqual(issues, calendar, issues.mapped("detail"))
        self.assertEqual(calendar.minutes, 20)
        self.assertEqual(calendar.workcenter_id, workorder.workcenter_id)
        self.assertEqual(calendar.production_id, workorder.production_id)
        self.assertEqual(
            calendar.message,
            "%s is planned on %s from %s to %s, partly outside its working time: it has %s "
            "less working time than its work needs."
            % (
                workorder.display_name,
                workorder.workcenter_id.name,
                format_datetime(self.env, workorder.date_start),
                format_datetime(self.env, workorder.date_finished),
                self.env["mrp.production"]._aps_format_duration(20 / 60.0),
            ),
        )
        self.assertIn("calendar violated", calendar.detail)
        self.assertIn(workorder.production_id.name, calendar.detail)
        self.assertEqual(calendar.severity, "2")
        # the order and the work order say it at the top of their forms
        workorder.invalidate_recordset(["aps_plan_issue_note"])
        workorder.production_id.invalidate_recordset(["aps_plan_issue_note"])
        self.assertIn(calendar.message, workorder.aps_plan_issue_note)
        self.assertIn(calendar.message, workorder.production_id.aps_plan_issue_note)

    def test_time_off_over_non_interruptible_work_and_more_work(self):
        """Work that cannot be interrupted is measured from start to end: time off over it
        and more work than planned are two problems, each said on its own."""
        # planned in one piece: planned as interruptible, work could span a night, and its
        # span would then hold the 30 minutes more (the test ran by the hour)
        (self.first | self.second).workorder_ids.operation_id.aps_non_interruptible = True
        run = self._run(self.first | self.second)
        self.assertEqual(run.state, "done", run.failure_reason)
        workorder = self._future_workorders()[0]
        self._time_off_at_start(workorder)
        workorder.duration_expected += 30
        issues = self._rule_issues().filtered(lambda i: i.workorder_id == workorder)
        self.assertEqual(
            sorted(issues.mapped("rule")), ["calendar", "duration"], issues.mapped("detail")
        )
        calendar = issues.filtered(lambda i: i.rule == "calendar")
        self.assertEqual(calendar.minutes, 0)
        self.assertTrue(calendar.message.endswith("partly outside its working time."))
        self.assertEqual(issues.filtered(lambda i: i.rule == "duration").minutes, 30)

    def test_work_moved_before_what_it_waits_for(self):
        """A planner drags a work order before the end of the one it waits for."""
        later = self._future_workorders().filtered("blocked_by_workorder_ids")[-1]
        before = later.blocked_by_workorder_ids
        self.assertEqual(len(before), 1)
        start = before.date_finished - timedelta(minutes=30)
        later.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": start,
                "date_finished": start + (later.date_finished - later.date_start),
            }
        )
        [issue] = self._rule_issues("precedence").filtered(lambda i: i.workorder_id == later)
        self.assertEqual(issue.other_workorder_id, before)
        # it may start when the work before it ends, plus the hold of its operation
        ready = before.date_finished + timedelta(minutes=before.operation_id.aps_hold_minutes)
        self.assertEqual(issue.date_expected, ready)
        self.assertEqual(
            issue.message,
            "%s is planned to start on %s, before %s, which it waits for, allows it (%s)."
            % (
                later.display_name,
                format_datetime(self.env, start),
                before.display_name,
                format_datetime(self.env, ready),
            ),
        )
        self.assertIn("precedence violated", issue.detail)

    def test_more_work_than_planned(self):
        """The order's quantity grows after the plan: its work needs more time than the
        plan gives it."""
        workorder = self._future_workorders()[0]
        planned = workorder.duration_expected
        self.env["change.production.qty"].create(
            {"mo_id": workorder.production_id.id, "product_qty": 3}
        ).change_prod_qty()
        self.assertGreater(workorder.duration_expected, planned)
        [issue] = self._rule_issues("duration").filtered(lambda i: i.workorder_id == workorder)
        self.assertGreater(issue.minutes, 0)
        self.assertIn("less working time in its plan than its work needs now", issue.message)
        self.assertIn("duration mismatch", issue.detail)
        # less work than planned leaves idle time: no problem
        self.env["change.production.qty"].create(
            {"mo_id": workorder.production_id.id, "product_qty": 1}
        ).change_prod_qty()
        self.assertFalse(
            self._rule_issues("duration").filtered(lambda i: i.workorder_id == workorder)
        )

    def test_a_longer_changeover_than_planned(self):
        """The press's changeovers get longer after the plan: the second molding lacks
        time to change over from the first."""
        moldings = (
            (self.first | self.second)
            .workorder_ids.filtered(lambda wo: wo.workcenter_id == self.wc_molding_1)
            .sorted("date_start")
        )
        self.assertEqual(len(moldings), 2)
        self.assertGreater(moldings[1].aps_changeover_minutes, 0)
        self.wc_molding_1.aps_changeover_default_minutes = 90
        self.wc_molding_1.aps_changeover_rule_ids.minutes = 90
        [issue] = self._rule_issues("changeover")
        self.assertEqual(issue.workorder_id, moldings[1])
        self.assertEqual(issue.other_workorder_id, moldings[0])
        self.assertEqual(issue.minutes, 90)
        self.assertEqual(
            issue.message,
            "%s follows %s on %s without the 1.5 h changeover it needs."
            % (moldings[1].display_name, moldings[0].display_name, self.wc_molding_1.name),
        )

    def test_passed_starts_are_reported_once(self):
        """Work whose planned start has passed is the not-started finder's, not a rule."""
        workorder = self._future_workorders()[0]
        workorder.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": self.now - timedelta(hours=2),
                "date_finished": self.now - timedelta(hours=2) + timedelta(minutes=30),
            }
        )
        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        mine = check.issue_ids.filtered(lambda i: i.workorder_id == workorder)
        self.assertEqual(mine.mapped("kind"), ["not_started"])

    def test_master_data_that_cannot_be_read(self):
        """A work center without working hours: the rules cannot be checked, and the check
        says why; the execution facts are still found."""
        self.second.date_deadline = self.now - timedelta(hours=1)
        self.wc_assembly.resource_calendar_id = False
        check = self.env["med.aps.plan.check"]._aps_check_company(self.company)
        [issue] = check.issue_ids.filtered(lambda i: i.kind == "rule")
        self.assertEqual(issue.rule, "data")
        self.assertEqual(issue.message, "The plan could not be checked against the planning rules.")
        self.assertIn("Assembly has no working calendar", issue.detail)
        self.assertTrue(check.issue_ids.filtered(lambda i: i.kind == "deadline"))

    def test_locked_work_is_checked_at_its_place(self):
        """A run keeps locked work where it is: time off added over it is a problem."""
        workorder = self._future_workorders()[0]
        workorder.action_aps_lock()
        self._time_off_at_start(workorder)
        issues = self._rule_issues().filtered(lambda i: i.workorder_id == workorder)
        self.assertIn("calendar", issues.mapped("rule"))

    def test_parallel_units_with_locked_work_break_no_rule(self):
        """A press with two units: work locked on one, planned again; the stored plan is
        the run's, unit by unit."""
        self.wc_molding_1.aps_parallel_capacity = 2
        run = self._run(self.first | self.second)
        self.assertEqual(run.state, "done", run.failure_reason)
        moldings = (self.first | self.second).workorder_ids.filtered(
            lambda wo: wo.workcenter_id == self.wc_molding_1
        )
        moldings.sorted("date_start")[-1].action_aps_lock()
        run = self._run(self.first | self.second)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertFalse(self._rule_issues().mapped("detail"))


@tagged("post_install", "-at_install")
class TestMedApsPlanCheckRequestSessions(TransactionCase):
    """Plan check requests between real sessions (committed). A class of its own: another
    test class's transaction, older than these commits, would see the requests they delete
    and fail to delete them itself (a concurrent delete)."""

    def test_a_request_committed_after_the_checks_snapshot_waits_for_the_next_call(self):
        """The check deletes the requests it saw: one committed meanwhile by a transaction
        it could not see (an event's, a plan run's) stays for the next call. Real sessions
        (committed), as the scheduled action and a user are."""
        dbname = self.env.cr.dbname
        company_id = self.env.ref("base.main_company").id
        Request = "med.aps.plan.check.request"
        with sql_db.db_connect(dbname).cursor() as setup_cr:
            seen_id = (
                api.Environment(setup_cr, SUPERUSER_ID, {})[Request]
                .create({"company_id": company_id})
                .id
            )
            setup_cr.commit()
        created = [seen_id]

        def delete_requests():
            with sql_db.db_connect(dbname).cursor() as cleanup_cr:
                cleanup_cr.execute(
                    "DELETE FROM med_aps_plan_check_request WHERE id = ANY(%s)", [created]
                )
                cleanup_cr.commit()

        self.addCleanup(delete_requests)
        with (
            sql_db.db_connect(dbname).cursor() as cron_cr,
            sql_db.db_connect(dbname).cursor() as user_cr,
        ):
            cron_cr.execute("SELECT 1")  # the check's snapshot: the first request only
            user_env = api.Environment(user_cr, SUPERUSER_ID, {})
            created.append(user_env[Request].create({"company_id": company_id}).id)
            user_cr.commit()
            Check = api.Environment(cron_cr, SUPERUSER_ID, {})["med.aps.plan.check"]
            with patch.object(type(Check), "_aps_check_company", lambda model, company: None):
                Check._cron_check_plans()
            cron_cr.commit()
        with sql_db.db_connect(dbname).cursor() as read_cr:
            read_cr.execute(
                "SELECT id FROM med_aps_plan_check_request WHERE id = ANY(%s)", [created]
            )
            self.assertEqual([row[0] for row in read_cr.fetchall()], created[1:])
