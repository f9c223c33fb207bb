from datetime import datetime, time, timedelta

from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

from .common import QualifiedOperatorsCommon


@tagged("post_install", "-at_install")
class TestQualifiedOperators(QualifiedOperatorsCommon):
    def test_only_operators_with_a_current_qualification_are_planned(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        assembly = self.productions.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        lines = self._operator_lines()
        self.assertEqual(lines.workorder_id, assembly, "each assembly names its operator")
        self.assertEqual(len(lines), len(assembly), "one operator per assembly work order")
        self.assertEqual(set(lines.mapped("res_model")), {"hr.employee"})
        self.assertTrue(set(lines.mapped("res_id")) <= {self.ana.id, self.carla.id})
        self.assertEqual(set(lines.mapped("name")) - {"Ana Costa", "Carla Diaz"}, set())
        for line in lines:
            self.assertEqual(line.date_start, line.workorder_id.date_start)
            self.assertEqual(line.date_end, line.workorder_id.date_finished)
        for employee in self.ana | self.carla:
            mine = lines.filtered(lambda line, e=employee: line.res_id == e.id)
            for before, after in zip(mine, mine[1:], strict=False):
                self.assertLessEqual(before.date_end, after.date_start, employee.name)
        # the expired qualification is named, with its date and what it costs
        expired_on = self.today - timedelta(days=5)
        self.assertIn(
            "Li Wei: Cleanroom gowning qualification expired %s: 4 work orders cannot use "
            "this operator." % expired_on,
            run.resource_warnings,
        )
        self.assertNotIn("Bo Lind", run.resource_warnings or "", "a trainee is simply not one")
        self.assertEqual(assembly[0].aps_resource_ids.kind, "operator")

    def test_the_plan_read_back_from_the_work_orders_validates(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        problem, plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(problem["schema_version"], 2)
        self.assertEqual(violations, [])
        keys = {resource["id"] for resource in problem["secondary_resources"]}
        self.assertEqual(keys, {"EMP/%d" % self.ana.id, "EMP/%d" % self.carla.id})
        assembly_ops = [
            op for op in plan["operations"] if op.get("secondary") and op["secondary"][0]
        ]
        self.assertEqual(len(assembly_ops), 4)
        # the same operator on two work orders at once is a violation of the new rules
        first, second = self._operator_lines()[:2]
        shift = second.date_start - first.date_start
        second.sudo().write(
            {
                "res_id": first.res_id,
                "resource_key": first.resource_key,
                "name": first.name,
                "date_start": second.date_start - shift,
                "date_end": second.date_end - shift,
            }
        )
        workorder = second.workorder_id
        workorder.sudo().write(
            {
                "date_start": workorder.date_start - shift,
                "date_finished": workorder.date_finished - shift,
            }
        )
        violations = self._rebuild_and_validate(run)[2]
        self.assertTrue(
            any(first.resource_key in violation for violation in violations), violations
        )

    def test_one_qualified_operator_keeps_two_lines_from_assembling_at_once(self):
        self.carla.employee_skill_ids.unlink()
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        lines = self._operator_lines()
        self.assertEqual(set(lines.mapped("res_id")), {self.ana.id})
        for before, after in zip(lines, lines[1:], strict=False):
            self.assertLessEqual(before.date_end, after.date_start, "Ana works twice at once")
        self.assertEqual(self._rebuild_and_validate(run)[2], [])

    def test_a_qualification_expiring_in_the_horizon_ends_that_skill_only(self):
        # Carla's qualification ends tomorrow: she serves cleanroom work only until then, her
        # working time (her other skills) goes on
        carla_skill = self.carla.employee_skill_ids
        carla_skill.valid_to = self.today + timedelta(days=1)
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.productions.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem, scope = ProblemBuilder(run).build()
        lapse = datetime.combine(self.today + timedelta(days=2), time.min)
        carla = next(r for r in problem["secondary_resources"] if r["name"] == "Carla Diaz")
        ana = next(r for r in problem["secondary_resources"] if r["name"] == "Ana Costa")
        self.assertEqual(carla["calendar"][-1][1], ana["calendar"][-1][1])
        self.assertGreater(carla["calendar"][-1][1], scope.to_minutes(lapse))
        cleanroom = [
            req
            for job in problem["jobs"]
            for op in job["operations"]
            for mode in op["modes"]
            for req in mode.get("requires", ())
            if carla["id"] in req["any_of"]
        ]
        self.assertTrue(cleanroom)
        for req in cleanroom:
            self.assertEqual(req["valid_until"], {carla["id"]: scope.to_minutes(lapse)})
        self.assertTrue(
            any(
                "Carla Diaz: Cleanroom gowning qualification expires %s"
                % (self.today + timedelta(days=1))
                in warning
                for warning in scope.warnings
            ),
            scope.warnings,
        )
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        for line in self._operator_lines().filtered(lambda line: line.res_id == self.carla.id):
            self.assertLessEqual(line.date_end, lapse)
        # the plan read back from the work orders keeps the lapse (the validator checks it)
        self.assertEqual(self._rebuild_and_validate(run)[2], [])

    def test_too_few_qualified_operators_stop_the_run_naming_the_expired_ones(self):
        self.requirements.operator_count = 3
        before = self._snapshot(self.productions)
        run = self._run(self.productions)
        self.assertEqual(run.state, "failed")
        self.assertIn("needs 3 operators qualified in Cleanroom gowning", run.failure_reason)
        self.assertIn("(Qualified or above), but 2 can work", run.failure_reason)
        self.assertIn(
            "Expired qualifications: Li Wei (%s)" % (self.today - timedelta(days=5)),
            run.failure_reason,
        )
        self.assertEqual(self._snapshot(self.productions), before, "nothing was written")
        self.assertFalse(self._operator_lines())

    def test_the_plan_check_names_work_too_few_operators_can_do(self):
        """After the plan, the requirement grows beyond the qualified people: the plan check
        names each planned work order that needs them, with the run's reason, and still
        checks the other work orders' rules."""
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        assembly = self.productions.workorder_ids.filtered(lambda wo: wo.name == "Assembly")
        other = self._more_work_than_planned(self.productions.workorder_ids - assembly)
        self.requirements.operator_count = 3
        check = self.env["med.aps.plan.check"]._aps_check_company(self.env.company)
        rules = check.issue_ids.filtered(lambda issue: issue.kind == "rule")
        unfit = rules.filtered(lambda issue: issue.rule == "data")
        self.assertEqual(unfit.workorder_id, assembly.filtered("date_start"))
        for issue in unfit:
            self.assertIn("needs 3 operators qualified in Cleanroom gowning", issue.detail)
            self.assertIn("Expired qualifications: Li Wei", issue.detail)
            self.assertEqual(
                issue.message,
                "The plan of %s could not be checked against the planning rules."
                % issue.workorder_id.display_name,
            )
        self.assertEqual(
            rules.filtered(lambda issue: issue.rule == "duration").workorder_id,
            other,
            rules.mapped("detail"),
        )

    def test_operators_for_the_setup_only(self):
        self.requirements.write({"during": "setup", "operator_count": 2})
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.productions.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem, _scope = ProblemBuilder(run).build()
        requires = [
            mode["requires"]
            for job in problem["jobs"]
            for op in job["operations"]
            for mode in op["modes"]
            if mode.get("requires")
        ]
        self.assertEqual(len(requires), 8, "four work orders, two work centers each")
        self.assertEqual(
            requires[0],
            [
                {
                    "any_of": ["EMP/%d" % self.ana.id, "EMP/%d" % self.carla.id],
                    "count": 2,
                    "during": "setup",
                }
            ],
        )

    def test_an_operation_without_requirement_plans_as_before(self):
        self.requirements.unlink()
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.productions.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem, _scope = ProblemBuilder(run).build()
        self.assertEqual(problem["schema_version"], 1)
