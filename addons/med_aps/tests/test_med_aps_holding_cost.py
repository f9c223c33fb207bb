from datetime import timedelta

from odoo import Command, fields
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
        # holding costs are monetary: stored rounded to the cent, so within half a cent
        cent_rounding = 0.005 + 1e-9
        for kpi in kpis:
            self.assertAlmostEqual(
                kpi.holding_cost,
                expected[(kpi.kind, kpi.product_id)],
                delta=cent_rounding,
                msg=kpi.kind,
            )
        finished = kpis.filtered(lambda k: k.kind == "finished")
        self.assertAlmostEqual(finished.value, 200.0)
        self.assertAlmostEqual(
            finished.days, days(production.aps_planned_finish, delivery.date), places=3
        )
        # the sum of the rounded costs, rounded once more
        self.assertAlmostEqual(
            run.holding_cost, sum(expected.values()), delta=(len(kpis) + 1) * cent_rounding
        )
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

    def _deliver(self, production, days):
        """A customer delivery of the order's product, chained to its finished move."""
        product = production.product_id
        delivery = self.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": production.product_qty,
                "product_uom": product.uom_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "date": fields.Datetime.now() + timedelta(days=days),
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.out_type_id.id,
            }
        )
        delivery._action_confirm()
        production.move_finished_ids.move_dest_ids = delivery
        return delivery

    def _prices(self):
        # 36.5 % a year: 0.1 % of the value per day held
        self.company.aps_carrying_rate = 36.5
        self.resin.standard_price = 10.0
        self.tube.standard_price = 2.0
        self.catheter_a.standard_price = 100.0
        self.catheter_b.standard_price = 50.0

    def _holding(self, run):
        kpis = self.env["med.aps.holding.kpi"].search([("run_id", "=", run.id)])
        return {(kpi.kind, kpi.product_id): kpi for kpi in kpis}

    def test_made_to_stock_is_held_until_the_deadline(self):
        self._prices()
        to_stock = self._create_mo(self.catheter_b, self.bom_b, qty=3, deadline_days=10)
        no_deadline = self.env["mrp.production"].create(
            {
                "product_id": self.catheter_a.id,
                "bom_id": self.bom_a.id,
                "product_qty": 1,
                "company_id": self.company.id,
                "picking_type_id": self.warehouse.manu_type_id.id,
            }
        )
        no_deadline.action_confirm()
        self.assertFalse(no_deadline.date_deadline)
        run = self._run(to_stock | no_deadline)
        self.assertEqual(run.state, "done", run.failure_reason)
        holding = self._holding(run)
        # an order to stock without a deadline has no date it is taken: not counted
        self.assertNotIn(("finished", self.catheter_a), holding)
        finished = holding[("finished", self.catheter_b)]
        held = (to_stock.date_deadline - to_stock.aps_planned_finish).total_seconds() / 86400.0
        self.assertGreater(held, 1.0)
        self.assertAlmostEqual(finished.quantity, 3.0)
        self.assertAlmostEqual(finished.value, 150.0)
        self.assertAlmostEqual(finished.days, held, places=3)
        # a monetary amount, rounded to the currency
        self.assertAlmostEqual(finished.holding_cost, 150.0 * held * 0.001, delta=0.006)

    def test_made_to_stock_pegged_to_another_order_is_held_once(self):
        self._prices()
        # 2 tubes on hand: a catheter order needing 5 takes 3 of the tube order made to stock
        self.env["stock.quant"]._update_available_quantity(
            self.tube, self.warehouse.lot_stock_id, -98
        )
        tube_mo = self._create_mo(self.tube, self.bom_tube, qty=5, deadline_days=10)
        catheter_mo = self._create_mo(self.catheter_a, self.bom_a, qty=5, deadline_days=12)
        run = self._run(tube_mo | catheter_mo)
        self.assertEqual(run.state, "done", run.failure_reason)
        pegs = self.env["med.aps.peg"].search(
            [("run_id", "=", run.id), ("supply_production_id", "=", tube_mo.id)]
        )
        self.assertAlmostEqual(sum(pegs.mapped("quantity")), 3.0)
        holding = self._holding(run)
        # the 3 pegged tubes are held as the catheter's component, the other 2 until the
        # tube order's deadline
        self.assertAlmostEqual(holding[("component", self.tube)].quantity, 5.0)
        finished = holding[("finished", self.tube)]
        held = (tube_mo.date_deadline - tube_mo.aps_planned_finish).total_seconds() / 86400.0
        self.assertGreater(held, 1.0)
        self.assertAlmostEqual(finished.quantity, 2.0)
        self.assertAlmostEqual(finished.holding_cost, 2 * 2.0 * held * 0.001, delta=0.006)

    def test_simulation_holding_cost_from_its_plan_and_compared(self):
        self._prices()
        delivered = self._create_mo(self.catheter_a, self.bom_a, qty=2, deadline_days=10)
        delivery = self._deliver(delivered, 9)
        to_stock = self._create_mo(self.catheter_b, self.bom_b, qty=3, deadline_days=6)
        productions = delivered | to_stock
        real_run = self._run(productions)
        self.assertEqual(real_run.state, "done", real_run.failure_reason)
        pegs = self.env["med.aps.peg"].search([("company_id", "=", self.company.id)])
        self.assertTrue(pegs)
        peg_fields = ["run_id", "move_id", "supply_kind", "quantity", "date_needed", "state"]
        pegs_before = pegs.read(peg_fields)
        real_holding = real_run.holding_cost
        real_rows = self._holding(real_run)
        # the scenario: molding closed for two days, the order to stock due four days later
        now = fields.Datetime.now()
        new_deadline = to_stock.date_deadline + timedelta(days=4)
        scenario = self.env["med.aps.scenario"].create(
            {
                "name": "Molding down",
                "company_id": self.company.id,
                "time_limit": self.TIME_LIMIT,
                "line_ids": [
                    Command.create(
                        {
                            "kind": "closure",
                            "workcenter_id": workcenter.id,
                            "date_from": now,
                            "date_to": now + timedelta(days=2),
                        }
                    )
                    for workcenter in self.wc_molding_1
                    | self.wc_molding_1.alternative_workcenter_ids
                ]
                + [
                    Command.create(
                        {
                            "kind": "order_change",
                            "production_id": to_stock.id,
                            "date_deadline": new_deadline,
                        }
                    )
                ],
            }
        )
        scenario.action_simulate()
        simulation = scenario.run_ids
        simulation.workers = 1
        self.assertEqual(simulation._process_now(), "done", simulation.failure_reason)

        # by hand, from the kept plan: components on hand from the plan's start to the
        # start of the work order consuming them, the delivered order's product from its
        # release (last operation and the sterilizer's hold) to the delivery, the order to
        # stock's from its release to its deadline in the scenario
        origin = simulation.plan_origin
        ops = {op["op"]: op for op in simulation.simulated_plan["operations"]}

        def start(production, name):
            workorder = production.workorder_ids.filtered(lambda wo: wo.name == name)
            return origin + timedelta(minutes=ops["WO/%d" % workorder.id]["start"])

        def release(production):
            last = max(ops["WO/%d" % wo.id]["end"] for wo in production.workorder_ids)
            hold = max(production.workorder_ids.operation_id.mapped("aps_hold_minutes"))
            return origin + timedelta(minutes=last + hold)

        def days(begin, end):
            return max(0.0, (end - begin).total_seconds() / 86400.0)

        self.assertGreaterEqual(start(delivered, "Molding"), now + timedelta(days=2))
        expected = {
            ("component", self.resin): sum(
                p.product_qty * 10.0 * days(origin, start(p, "Molding")) for p in productions
            )
            * 0.001,
            ("component", self.tube): sum(
                p.product_qty * 2.0 * days(origin, start(p, "Assembly")) for p in productions
            )
            * 0.001,
            ("finished", self.catheter_a): 2
            * 100.0
            * days(release(delivered), delivery.date)
            * 0.001,
            ("finished", self.catheter_b): 3 * 50.0 * days(release(to_stock), new_deadline) * 0.001,
        }
        holding = self._holding(simulation)
        self.assertEqual(set(holding), set(expected))
        # monetary amounts, rounded to the currency
        for key, kpi in holding.items():
            self.assertAlmostEqual(kpi.holding_cost, expected[key], delta=0.006, msg=key)
        self.assertAlmostEqual(simulation.holding_cost, sum(expected.values()), delta=0.03)
        self.assertNotAlmostEqual(simulation.holding_cost, real_holding, places=2)

        # the real plan's pegs and holding cost are as they were
        self.env.invalidate_all()
        pegs_after = self.env["med.aps.peg"].search([("company_id", "=", self.company.id)])
        self.assertEqual(pegs_after, pegs)
        self.assertEqual(pegs_after.read(peg_fields), pegs_before)
        self.assertEqual(real_run.holding_cost, real_holding)
        self.assertEqual(self._holding(real_run), real_rows)

        # compared side by side
        action = (real_run | simulation).action_compare()
        compare = self.env["med.aps.run.compare"].browse(action["res_id"])
        line = compare.line_ids.filtered(lambda line: line.name == "Holding Cost")
        self.assertAlmostEqual(line.value_a, real_holding, places=2)
        self.assertAlmostEqual(line.value_b, simulation.holding_cost, places=2)
        self.assertEqual(line.better, "a" if line.value_b > line.value_a else "b")
