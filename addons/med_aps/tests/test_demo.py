from collections import defaultdict

from odoo.tests import TransactionCase, tagged

from odoo.addons.med_aps.services.plan_reader import PlanReader
from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

DEMO_WORKCENTERS = (
    "workcenter_molding_1",
    "workcenter_molding_2",
    "workcenter_extrusion",
    "workcenter_assembly_a",
    "workcenter_assembly_b",
    "workcenter_blister",
    "workcenter_eo",
    "workcenter_qc",
)


@tagged("post_install", "-at_install")
class TestMedApsDemo(TransactionCase):
    """The demo plant is complete and shipped planned (``--with-demo``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_mo = cls.env.ref("med_aps.mo_demo_syr10_01", raise_if_not_found=False)
        if cls.demo_mo:
            cls.workcenters = cls.env["mrp.workcenter"].browse(
                [cls.env.ref("med_aps.%s" % xmlid).id for xmlid in DEMO_WORKCENTERS]
            )
            cls.productions = cls.env["mrp.production"].search(
                [("product_id.default_code", "=like", "MDP-%")]
            )

    def setUp(self):
        super().setUp()
        if not self.demo_mo:
            self.skipTest("the med_aps demo data is not installed")

    def test_demo_plant_master_data(self):
        ref = self.env.ref
        self.assertTrue(all(self.workcenters.mapped("aps_enabled")))
        self.assertEqual(
            ref("med_aps.workcenter_molding_1").alternative_workcenter_ids,
            ref("med_aps.workcenter_molding_2"),
        )
        self.assertEqual(
            ref("med_aps.workcenter_assembly_a").alternative_workcenter_ids,
            ref("med_aps.workcenter_assembly_b"),
        )
        eo = ref("med_aps.workcenter_eo")
        self.assertTrue(eo.aps_batch_enabled)
        self.assertEqual(eo.aps_batch_cycle_minutes, 600)
        self.assertEqual(ref("med_aps.workcenter_qc").aps_parallel_capacity, 2)
        families = self.env["med.aps.setup.family"].search(
            [("code", "in", ("SYR", "CATH", "IVS", "BCS"))]
        )
        self.assertEqual(len(families), 4, "four product families")
        rules = self.env["med.aps.changeover.rule"].search(
            [("workcenter_id", "in", self.workcenters.ids)]
        )
        # every changeover rule has its way back on the same work center
        pairs = {(r.workcenter_id, r.from_family_id, r.to_family_id) for r in rules}
        for workcenter, origin, target in pairs:
            self.assertIn((workcenter, target, origin), pairs)
            self.assertIn(origin, families)
        # every product sterilized in the EO cycle waits a day of aeration after it
        eo_operations = self.env["mrp.routing.workcenter"].search([("workcenter_id", "=", eo.id)])
        self.assertTrue(eo_operations)
        self.assertTrue(all(op.aps_hold_minutes == 1440 for op in eo_operations))
        # every work center has a shift calendar
        self.assertTrue(all(self.workcenters.mapped("resource_calendar_id.attendance_ids")))

    def test_demo_orders(self):
        productions = self.productions
        self.assertEqual(set(productions.mapped("state")), {"confirmed"})
        self.assertTrue(all(productions.mapped("date_deadline")), "every order has a due date")
        tubing = productions.filtered(lambda p: p.product_id.default_code.startswith("MDP-TUB"))
        self.assertTrue(tubing, "sub-assembly orders made to order")
        for child in tubing:
            parents = child._get_sources()
            self.assertEqual(len(parents), 1, "%s feeds one order" % child.name)
            self.assertIn(parents, productions)
        # each order has the work orders of its routing
        for production in productions:
            self.assertEqual(production.workorder_ids.operation_id, production.bom_id.operation_ids)
        receipt = self.env.ref("med_aps.picking_receipt_pu")
        self.assertNotIn(receipt.state, ("draft", "done", "cancel"))

    def test_demo_is_planned(self):
        productions = self.productions
        workorders = productions.workorder_ids
        self.assertTrue(all(productions.mapped("aps_planned")), "every demo order is planned")
        self.assertTrue(all(workorders.mapped("date_start")))
        self.assertTrue(all(workorders.mapped("date_finished")))
        runs = productions.aps_last_run_id
        self.assertEqual(len(runs), 1, "the demo is planned by one run")
        self.assertEqual(runs.state, "done")
        # labelled as the demo's, made by the demo admin, a planner
        self.assertEqual(runs.trigger, "demo")
        admin = self.env.ref("base.user_admin")
        self.assertEqual(runs.user_id, admin)
        self.assertTrue(admin.has_group("med_aps.group_aps_planner"))
        self.assertEqual(workorders.aps_run_id, runs)
        self.assertEqual(runs.workorder_count, len(workorders))
        # the sterilizer runs shared batch cycles; QC waits for the quarantine hold
        eo = self.env.ref("med_aps.workcenter_eo")
        eo_wos = workorders.filtered(lambda w: w.workcenter_id == eo)
        batches = defaultdict(list)
        for workorder in eo_wos:
            self.assertTrue(workorder.aps_batch_ref)
            batches[workorder.aps_batch_ref].append(workorder)
        self.assertLess(len(batches), len(eo_wos), "some orders share a sterilizer cycle")
        for cycle in batches.values():
            self.assertLessEqual(len(cycle), 6)
            self.assertEqual(len({(w.date_start, w.date_finished) for w in cycle}), 1)
            families = {w.product_id.aps_batch_family_id for w in cycle}
            self.assertEqual(len(families), 1, "one batch family per cycle")
        qc = self.env.ref("med_aps.workcenter_qc")
        for production in productions.filtered(lambda p: p.workorder_ids & eo_wos):
            sterilization = production.workorder_ids & eo_wos
            testing = production.workorder_ids.filtered(lambda w, qc=qc: w.workcenter_id == qc)
            hold = (testing.date_start - sterilization.date_finished).total_seconds() / 60
            self.assertGreaterEqual(hold, 1440, "%s: quarantine hold" % production.name)
        # a sub-assembly is finished before the operation consuming it starts
        tubing = productions.filtered(lambda p: p.product_id.default_code.startswith("MDP-TUB"))
        for child in tubing:
            parent = child._get_sources()
            assembly = parent.workorder_ids.sorted("sequence")[1]
            self.assertLessEqual(child.workorder_ids.date_finished, assembly.date_start)

    def test_demo_plan_passes_the_engine_validator(self):
        from med_aps_engine import validate

        run = self.productions.aps_last_run_id
        self.assertEqual(len(run), 1)
        origin = getattr(run, "plan_origin", False) or run.date_started
        problem, scope = ProblemBuilder(run, origin=origin.replace(second=0, microsecond=0)).build()
        plan = PlanReader(scope).read_plan()
        operations = plan["operations"]
        self.assertEqual(len(operations), len(self.productions.workorder_ids))
        self.assertEqual(validate(problem, plan), [])
