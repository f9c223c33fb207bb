from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder
from odoo.addons.med_aps.tests.common import MedApsCommon


@tagged("post_install", "-at_install")
class TestSecondaryResources(MedApsCommon):
    """An addon plans a tool beside the work centers through med_aps' hooks: one mould
    fits both moulding work centers, so they never use it at once; the plan names it on
    each work order, and the plan read back from the records passes the validator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.molding_ops = (cls.bom_a | cls.bom_b).operation_ids.filtered(
            lambda op: op.name == "Molding"
        )
        cls.mould = cls.env["test.med.aps.fixture"].create(
            {
                "name": "Mould CATH-7",
                "workcenter_ids": [(6, 0, (cls.wc_molding_1 | cls.wc_molding_2).ids)],
                "operation_ids": [(6, 0, cls.molding_ops.ids)],
            }
        )
        cls.productions = cls.env["mrp.production"]
        for index in range(4):
            product, bom = (cls.catheter_a, cls.bom_a) if index % 2 else (cls.catheter_b, cls.bom_b)
            cls.productions |= cls._create_mo(product, bom, deadline_days=1)

    def _molding_lines(self):
        return self.env["med.aps.workorder.resource"].search(
            [("production_id", "in", self.productions.ids)], order="date_start"
        )

    def test_a_shared_mould_is_never_used_twice_at_once(self):
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        molding = self.productions.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        lines = self._molding_lines()
        self.assertEqual(lines.workorder_id, molding, "each moulding work order names the mould")
        self.assertEqual(set(lines.mapped("name")), {"Mould CATH-7"})
        self.assertEqual(set(lines.mapped("kind")), {"tool"})
        self.assertEqual(lines.mapped("res_id"), [self.mould.id] * 4)
        for line in lines:
            self.assertEqual(line.date_start, line.workorder_id.date_start)
            self.assertEqual(line.date_end, line.workorder_id.date_finished)
            self.assertEqual(line.run_id, run)
        for before, after in zip(lines, lines[1:], strict=False):
            self.assertLessEqual(before.date_end, after.date_start, "the mould is used twice")
        # without the mould the two moulding work centers would run side by side
        self.assertTrue(set(molding.workcenter_id.ids) <= set(self.mould.workcenter_ids.ids))
        problem, plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(problem["schema_version"], 2)
        self.assertEqual(plan["schema_version"], 2)
        self.assertEqual(violations, [])
        self.assertTrue(any(op.get("secondary") for op in plan["operations"]))
        first = molding[0]
        self.assertEqual(first.aps_resource_ids, lines.filtered(lambda r: r.workorder_id == first))

    def test_the_validator_sees_a_mould_used_twice(self):
        """The read-back plan is checked with the new rules: two work orders holding the one
        mould at the same time are a violation."""
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        first, second = self._molding_lines()[:2]
        shift = second.date_start - first.date_start
        # the second work order's mould line is moved onto the first's: a double use
        second.sudo().write(
            {"date_start": second.date_start - shift, "date_end": second.date_end - shift}
        )
        second.workorder_id.sudo().write(
            {
                "date_start": second.workorder_id.date_start - shift,
                "date_finished": second.workorder_id.date_finished - shift,
            }
        )
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertTrue(
            any("FX/%d" % self.mould.id in violation for violation in violations), violations
        )

    def test_a_window_without_the_mould_is_respected(self):
        now = fields.Datetime.now()
        self.mould.write(
            {
                "unavailable_from": now - timedelta(hours=1),
                "unavailable_to": now + timedelta(days=2),
            }
        )
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        for line in self._molding_lines():
            self.assertGreaterEqual(line.date_start, self.mould.unavailable_to)
        self.assertEqual(self._rebuild_and_validate(run)[2], [])

    def test_an_unusable_mould_is_told_and_blocks_its_work_orders(self):
        self.mould.in_service = False
        before = self._snapshot(self.productions)
        run = self._run(self.productions)
        self.assertEqual(run.state, "failed")
        self.assertIn("cannot run on Molding 1, Molding 2", run.failure_reason)
        self.assertIn("tools or qualified operators", run.failure_reason)
        self.assertEqual(self._snapshot(self.productions), before, "nothing was written")
        self.assertFalse(self._molding_lines())
        # with another mould in service the run plans and says why the first was not used
        spare = self.mould.copy({"name": "Mould CATH-7 spare", "in_service": True})
        run = self._run(self.productions)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertIn(
            "Fixture Mould CATH-7 is out of service: 4 work orders", run.resource_warnings
        )
        self.assertEqual(set(self._molding_lines().mapped("res_id")), {spare.id})

    def test_a_plan_without_secondary_resources_stays_version_1(self):
        self.mould.operation_ids = False
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.productions.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem, _scope = ProblemBuilder(run).build()
        self.assertEqual(problem["schema_version"], 1)
        self.assertNotIn("secondary_resources", problem)
