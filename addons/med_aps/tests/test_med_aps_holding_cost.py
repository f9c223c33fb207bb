from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsHoldingCost(MedApsCommon):
    def test_holding_cost_matches_a_hand_computation(self):
        # 36.5 % a year: 0.1 % of the value per day held
        self.company.aps_carrying_rate = 36.5
        self.resin.standard_price = 10.0
        self.tube.standard_price = 2.0
        self.catheter_a.standard_price = 100.0
        production = self._create_mo(self.catheter_a, self.bom_a, qty=2, deadline_days=10)
        delivery = self.env["stock.move"].create(
            {
                "product_id": self.catheter_a.id,
                "product_uom_qty": 2,
                "product_uom": self.catheter_a.uom_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "date": fields.Datetime.now() + timedelta(days=8),
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.out_type_id.id,
            }
        )
        delivery._action_confirm()
        production.move_finished_ids.move_dest_ids = delivery
        run = self._run(production)
        self.assertEqual(run.state, "done", run.failure_reason)
        origin = run.plan_origin
        molding = production.workorder_ids.filtered(lambda wo: wo.name == "Molding")
        assembly = production.workorder_ids.filtered(lambda wo: wo.name == "Assembly")

        def days(start, end):
            return (end - start).total_seconds() / 86400.0

        expected = {
            ("component", self.resin): 2 * 10.0 * days(origin, molding.date_start) * 0.001,
            ("component", self.tube): 2 * 2.0 * days(origin, assembly.date_start) * 0.001,
            ("finished", self.catheter_a): 2
            * 100.0
            * days(production.aps_planned_finish, delivery.date)
            * 0.001,
        }
        kpis = self.env["med.aps.holding.kpi"].search([("run_id", "=", run.id)])
        self.assertEqual({(k.kind, k.product_id) for k in kpis}, set(expected))
        for kpi in kpis:
            self.assertAlmostEqual(
                kpi.holding_cost, expected[(kpi.kind, kpi.product_id)], places=2, msg=kpi.kind
            )
        finished = kpis.filtered(lambda k: k.kind == "finished")
        self.assertAlmostEqual(finished.value, 200.0)
        self.assertAlmostEqual(
            finished.days, days(production.aps_planned_finish, delivery.date), places=3
        )
        self.assertAlmostEqual(run.holding_cost, sum(expected.values()), places=2)
        # a result of the run: a planner cannot set it
        with self.assertRaises(AccessError):
            run.with_user(self.planner).write({"holding_cost": 0.0})
        with self.assertRaises(AccessError):
            kpis[:1].with_user(self.planner).write({"holding_cost": 0.0})

    def test_earliness_weight_plans_just_in_time_and_holds_less(self):
        self.company.aps_carrying_rate = 36.5
        self.catheter_a.standard_price = 100.0
        production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=8)
        delivery = self.env["stock.move"].create(
            {
                "product_id": self.catheter_a.id,
                "product_uom_qty": 1,
                "product_uom": self.catheter_a.uom_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "date": production.date_deadline,
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.out_type_id.id,
            }
        )
        delivery._action_confirm()
        production.move_finished_ids.move_dest_ids = delivery
        early_run = self._run(production)
        self.assertEqual(early_run.state, "done", early_run.failure_reason)
        early_finish = production.aps_planned_finish
        # above the makespan weight (1): each minute finished earlier costs more than the
        # plan's span gains
        jit_run = self._run(production, weight_earliness=5, weight_stability=0)
        self.assertEqual(jit_run.state, "done", jit_run.failure_reason)
        self.assertGreater(production.aps_planned_finish, early_finish + timedelta(days=3))
        self.assertLessEqual(production.aps_planned_finish, production.date_deadline)
        self.assertFalse(production.aps_is_late)
        _problem, _plan, violations = self._rebuild_and_validate(jit_run)
        self.assertEqual(violations, [])
        self.assertLess(jit_run.holding_cost, early_run.holding_cost)
        with self.assertRaises(ValidationError):
            self._run(production, weight_earliness=-1)
