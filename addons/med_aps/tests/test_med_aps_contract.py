from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsContract(MedApsCommon):
    """Each record translates itself into the engine's problem, and an addon extends the
    translation the Odoo way (``super()``), here simulated by wrapping the methods."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.productions = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)

    def _extended(self):
        """Patches adding an "extensions" entry to resources, jobs and operations."""
        env = self.env
        classes = {
            "resource": (type(env["mrp.workcenter"]), "_aps_resource_vals"),
            "job": (type(env["mrp.production"]), "_aps_job_vals"),
            "operation": (type(env["mrp.workorder"]), "_aps_operation_vals"),
        }
        patches = []
        for kind, (cls, name) in classes.items():
            original = getattr(cls, name)

            def extended(records, *args, _original=original, _kind=kind):
                vals = _original(records, *args)
                vals["extensions"] = {"added_by": "test", "kind": _kind, "record": records.id}
                return vals

            patches.append(patch.object(cls, name, extended))
        return patches

    def test_an_extension_sees_its_data_in_the_problem_and_the_run_plans(self):
        patches = self._extended()
        for item in patches:
            item.start()
            self.addCleanup(item.stop)
        run = self.env["med.aps.run"].create(
            {"production_ids": [(6, 0, self.productions.ids)], "time_limit": self.TIME_LIMIT}
        )
        problem = ProblemBuilder(run).build()
        workcenters = {r["id"]: r for r in problem["resources"]}
        for workcenter_key, resource in workcenters.items():
            self.assertEqual(
                resource["extensions"],
                {"added_by": "test", "kind": "resource", "record": int(workcenter_key[3:])},
            )
        (job,) = problem["jobs"]
        self.assertEqual(job["extensions"]["record"], self.productions.id)
        operation_ids = {op["extensions"]["record"] for op in job["operations"]}
        self.assertEqual(operation_ids, set(self.productions.workorder_ids.ids))
        # the engine carries the extensions: the run plans as without them
        run._process_now()
        self.assertEqual(run.state, "done", run.failure_reason)
        _problem, _plan, violations = self._rebuild_and_validate(run)
        self.assertEqual(violations, [])
