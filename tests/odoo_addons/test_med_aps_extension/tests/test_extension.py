from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder
from odoo.addons.med_aps.tests.common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsExtension(MedApsCommon):
    """An addon extends the planning problem with ``_inherit`` and ``super()`` and sees its
    data in the engine's problem; it observes the plan write with the moved work orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wc_molding_1.test_tool_code = "MOLD-CATH-7"
        cls.production = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.production.origin = "TENDER-2026-118"

    def _run(self, productions=None, **values):
        return super()._run(productions or self.production, **values)

    def test_the_extension_is_in_the_problem(self):
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.production.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem, _scope = ProblemBuilder(run).build()
        resources = {r["id"]: r for r in problem["resources"]}
        self.assertEqual(
            resources["WC/%d" % self.wc_molding_1.id]["extensions"], {"tool": "MOLD-CATH-7"}
        )
        self.assertNotIn("extensions", resources["WC/%d" % self.wc_assembly.id])
        (job,) = problem["jobs"]
        self.assertEqual(job["extensions"], {"origin": "TENDER-2026-118"})
        names = {op["extensions"]["operation"] for op in job["operations"]}
        self.assertEqual(names, set(self.production.workorder_ids.operation_id.mapped("name")))

    def test_the_hook_sees_the_written_plan(self):
        run = self._run()
        self.assertEqual(run.state, "done", run.failure_reason)
        events = self.env["test.med.aps.plan.write.event"].search([("run_id", "=", run.id)])
        self.assertEqual(len(events), run.moved_count)
        self.assertTrue(events, "the first plan moves the work orders from Odoo's dates")
        for event in events:
            workorder = event.workorder_id
            self.assertEqual(event.workcenter_id, workorder.workcenter_id)
            self.assertEqual(event.date_start, workorder.date_start)
            # Odoo's own invariants hold when the hook runs: reservation and MO dates
            self.assertEqual(workorder.leave_id.date_from, workorder.date_start)
        self.assertTrue(self.production.is_planned)
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])
        # a replan with nothing changed moves nothing, so the hook sees nothing new
        again = self._run()
        self.assertEqual(
            self.env["test.med.aps.plan.write.event"].search_count([("run_id", "=", again.id)]),
            again.moved_count,
        )
