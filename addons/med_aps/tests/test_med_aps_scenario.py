from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsScenario(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mo_a = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.mo_b = cls._create_mo(cls.catheter_b, cls.bom_b, deadline_days=4)
        cls.productions = cls.mo_a | cls.mo_b
        cls.Scenario = cls.env["med.aps.scenario"]

    def setUp(self):
        super().setUp()
        # the real plan the scenarios start from
        run = self._run()
        self.assertEqual(run.state, "done", run.failure_reason)
        self.real_run = run

    def _scenario(self, lines, name="Rush tender"):
        return self.Scenario.create(
            {
                "name": name,
                "company_id": self.company.id,
                "time_limit": self.TIME_LIMIT,
                "line_ids": [Command.create(vals) for vals in lines],
            }
        )

    def _simulate(self, scenario):
        scenario.action_simulate()
        run = scenario.run_ids[:1]
        run.workers = 1
        self.assertEqual(run._process_now(), "done", run.failure_reason)
        return run

    def _apply_run(self, simulation):
        simulation.action_apply()
        return self.env["med.aps.run"].search([("apply_source_id", "=", simulation.id)])

    def _period(self, days_from, days_to):
        now = fields.Datetime.now()
        return now + timedelta(days=days_from), now + timedelta(days=days_to)

    def test_simulation_writes_nothing(self):
        closed_from, closed_to = self._period(0, 2)
        scenario = self._scenario(
            [
                {
                    "kind": "new_order",
                    "product_id": self.catheter_a.id,
                    "product_qty": 2,
                    "date_deadline": fields.Datetime.now() + timedelta(days=1),
                    "priority": "1",
                },
                {
                    "kind": "closure",
                    "workcenter_id": self.wc_assembly.id,
                    "date_from": closed_from,
                    "date_to": closed_to,
                },
                {
                    "kind": "order_change",
                    "production_id": self.mo_b.id,
                    "date_deadline": fields.Datetime.now() + timedelta(hours=2),
                    "priority": "1",
                },
            ]
        )
        before = self._snapshot(self.productions)
        mo_count = self.env["mrp.production"].search_count([("company_id", "=", self.company.id)])
        run = self._simulate(scenario)
        self.assertTrue(run.simulation)
        self.assertEqual(self._snapshot(self.productions), before)
        self.assertEqual(
            self.env["mrp.production"].search_count([("company_id", "=", self.company.id)]),
            mo_count,
            "the hypothetical order is not created",
        )
        self.assertFalse(self.env["mrp.workorder"].search([("aps_run_id", "=", run.id)]))
        self.assertFalse(self.productions.filtered(lambda p: p.aps_last_run_id == run))
        # the plan is kept on the run, with the hypothetical order's operations
        plan = run.simulated_plan
        hypothetical = list(run.hypothetical_jobs)
        self.assertEqual(len(hypothetical), 1)
        self.assertIn("Rush tender", run.hypothetical_jobs[hypothetical[0]])
        self.assertEqual(len([op for op in plan["operations"] if op["job"] == hypothetical[0]]), 3)
        self.assertEqual(run.workorder_count, 9)
        # the assembly is closed in the simulation
        start = int((closed_from - run.plan_origin).total_seconds() // 60)
        end = int((closed_to - run.plan_origin).total_seconds() // 60) + 1
        for op in plan["operations"]:
            if op["resource"] == "WC/%d" % self.wc_assembly.id:
                self.assertTrue(op["end"] <= start or op["start"] >= end, op)
        # the changed deadline makes the order late in the simulation only
        self.assertIn(self.mo_b.name, run._aps_late_orders())
        self.assertNotEqual(self.mo_b.date_deadline, scenario.line_ids[2].date_deadline)

    def test_apply_refuses_after_a_change_and_names_it(self):
        scenario = self._scenario(
            [
                {
                    "kind": "capacity",
                    "workcenter_id": self.wc_molding_1.id,
                    "date_from": fields.Datetime.now(),
                    "date_to": fields.Datetime.now() + timedelta(hours=6),
                }
            ]
        )
        simulation = self._simulate(scenario)
        self.mo_a.date_deadline = fields.Datetime.now() + timedelta(days=2)
        before = self._snapshot(self.productions)
        with self.assertRaisesRegex(UserError, "%s changed \\(Deadline\\)" % self.mo_a.name):
            simulation.action_apply()
        self.assertEqual(self._snapshot(self.productions), before)
        self.assertFalse(simulation.applied_run_id)

    def test_apply_run_refuses_a_change_made_after_queuing(self):
        simulation = self._simulate(self._scenario([self._closure_vals()]))
        apply_run = self._apply_run(simulation)
        self.assertEqual(apply_run.state, "queued")
        self.mo_b.priority = "1"
        before = self._snapshot(self.productions)
        apply_run._process_now()
        self.assertEqual(apply_run.state, "failed")
        self.assertIn(self.mo_b.name, apply_run.failure_reason)
        self.assertIn(self.mo_b._fields["priority"].string, apply_run.failure_reason)
        self.assertEqual(self._snapshot(self.productions), before)
        self.assertFalse(simulation.applied_run_id)

    def _closure_vals(self):
        closed_from, closed_to = self._period(0, 1)
        return {
            "kind": "closure",
            "workcenter_id": self.wc_molding_1.id,
            "date_from": closed_from,
            "date_to": closed_to,
        }

    def test_apply_writes_the_simulated_plan(self):
        simulation = self._simulate(
            self._scenario(
                [
                    self._closure_vals(),
                    {
                        "kind": "new_order",
                        "product_id": self.catheter_b.id,
                        "product_qty": 1,
                        "date_deadline": fields.Datetime.now() + timedelta(days=2),
                    },
                ]
            )
        )
        apply_run = self._apply_run(simulation)
        self.assertEqual(apply_run._process_now(), "done", apply_run.failure_reason)
        self.assertEqual(simulation.applied_run_id, apply_run)
        planned = {op["op"]: op for op in simulation.simulated_plan["operations"]}
        self.env.invalidate_all()
        for workorder in self.productions.workorder_ids:
            op = planned["WO/%d" % workorder.id]
            self.assertEqual(workorder.aps_run_id, apply_run)
            self.assertEqual(workorder.workcenter_id.id, int(op["resource"][3:]))
            self.assertEqual(
                workorder.date_start, simulation.plan_origin + timedelta(minutes=op["start"])
            )
        _problem, _plan, violations = self._rebuild_and_validate(apply_run)
        self.assertEqual(violations, [])
        with self.assertRaisesRegex(UserError, "already applied"):
            simulation.action_apply()

    def test_only_the_applied_scenario_touches_the_plan_and_runs_compare(self):
        first = self._simulate(self._scenario([self._closure_vals()], name="Press down"))
        second = self._simulate(
            self._scenario(
                [
                    {
                        "kind": "order_change",
                        "production_id": self.mo_a.id,
                        "date_deadline": fields.Datetime.now() + timedelta(hours=1),
                    }
                ],
                name="Earlier deadline",
            )
        )
        before = self._snapshot(self.productions)
        self.assertEqual(self.productions.workorder_ids.aps_run_id, self.real_run)
        action = (first | second).action_compare()
        compare = self.env["med.aps.run.compare"].browse(action["res_id"])
        self.assertEqual((compare.run_a_id, compare.run_b_id), (first, second))
        self.assertEqual(compare.display_name, "%s against %s" % (first.name, second.name))
        lines = {line.name: line for line in compare.line_ids}
        late = lines["Late Orders"]
        self.assertEqual((late.value_a, late.value_b), (first.late_count, second.late_count))
        self.assertEqual(late.difference, second.late_count - first.late_count)
        self.assertEqual(late.better, "a" if second.late_count > first.late_count else "same")
        self.assertIn("Lateness (h, weighted)", lines)
        self.assertIn("Moved Work Orders", lines)
        self.assertIn(self.mo_a.name, compare.late_b)
        self._apply_run(second)._process_now()
        self.assertNotEqual(self._snapshot(self.productions), before)
        self.assertFalse(first.applied_run_id)
        with self.assertRaisesRegex(UserError, "cannot be applied"):
            first.action_apply()

    def test_bad_changes_are_refused_with_the_reason(self):
        with self.assertRaisesRegex(ValidationError, "needs a work center and a period"):
            self._scenario([{"kind": "closure", "workcenter_id": self.wc_assembly.id}])
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            closed_from, closed_to = self._period(1, 0)
            self._scenario(
                [
                    {
                        "kind": "capacity",
                        "workcenter_id": self.wc_assembly.id,
                        "date_from": closed_from,
                        "date_to": closed_to,
                    }
                ]
            )
        no_bom = self.env["product.product"].create({"name": "Drape", "is_storable": True})
        scenario = self._scenario([{"kind": "new_order", "product_id": no_bom.id}])
        scenario.action_simulate()
        run = scenario.run_ids
        run._process_now()
        self.assertEqual(run.state, "failed")
        self.assertIn("Drape has no bill of materials", run.failure_reason)
        with self.assertRaisesRegex(UserError, "not a finished simulation"):
            run.action_apply()

    def test_weaker_users_cannot_simulate_apply_or_forge(self):
        simulation = self._simulate(self._scenario([self._closure_vals()]))
        reader = self.env(user=self.aps_user)
        with self.assertRaises(AccessError):
            reader["med.aps.scenario"].create({"name": "Mine"})
        with self.assertRaises(AccessError):
            simulation.with_env(reader).action_apply()
        with self.assertRaises(AccessError):
            simulation.scenario_id.with_env(reader).action_simulate()
        planner = self.env(user=self.planner)
        with self.assertRaises(AccessError):
            simulation.with_env(planner).write({"simulated_plan": {"operations": []}})
        with self.assertRaises(AccessError):
            planner["med.aps.run"].create(
                {"simulation": True, "input_fingerprint": {}, "company_id": self.company.id}
            )
        self.assertFalse(simulation.applied_run_id)
