from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestApsQualityBridge(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env["product.category"].create(
            {
                "name": "Released devices",
                "med_quarantine_on_receipt": True,
                "med_quarantine_on_production": True,
                "med_release_lead_minutes": 240,
            }
        )
        cls.free_category = cls.env["product.category"].create(
            {"name": "Free parts", "med_release_lead_minutes": 90}
        )
        cls.component = cls.env["product.product"].create(
            {"name": "Tubing", "is_storable": True, "tracking": "lot", "categ_id": cls.category.id}
        )
        cls.device = cls.env["product.product"].create(
            {
                "name": "Infusion set",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": cls.category.id,
            }
        )
        cls.free_device = cls.env["product.product"].create(
            {"name": "Clamp", "is_storable": True, "categ_id": cls.free_category.id}
        )
        cls.manager = new_test_user(
            cls.env,
            login="qr_bridge_manager",
            groups="med_quality_release.group_qa_manager,stock.group_stock_manager",
        )

    def _sign_release(self, lots):
        for lot in lots:
            self._sign_one_release(lot)

    def _sign_one_release(self, lot):
        action = lot.with_user(self.manager).action_med_quality_release()
        wizard = self.env["med.signature.wizard"].with_user(self.manager).browse(action["res_id"])
        wizard.comment = "Released for planning"
        wizard.with_context(password="qr_bridge_manager").action_sign()

    def test_only_released_lots_are_available(self):
        lot = self.env["stock.lot"].create({"name": "TUBE-1", "product_id": self.component.id})
        free_lot = self.env["stock.lot"].create({"name": "TUBE-2", "product_id": self.component.id})
        self.assertTrue(lot._aps_is_available_for_planning(), "not under release control")
        lot._med_enter_quarantine("receipt")
        self.assertFalse(lot._aps_is_available_for_planning())
        self.assertEqual((lot | free_lot)._aps_filter_available_for_planning(), free_lot)
        self._sign_release(lot)
        self.assertEqual(lot.med_release_state, "released")
        self.assertTrue(lot._aps_is_available_for_planning())
        lot.action_med_hold("Customer complaint")
        self.assertFalse(lot._aps_is_available_for_planning(), "a held lot is not available")

    def test_released_without_a_signature_is_not_available(self):
        lot = self.env["stock.lot"].create({"name": "TUBE-FORGED", "product_id": self.component.id})
        lot._med_enter_quarantine("receipt")
        # a decision written around the signed path (directly in the database)
        self.env.cr.execute(
            "UPDATE stock_lot SET med_release_decision = 'released', "
            "med_release_state = 'released' WHERE id = %s",
            [lot.id],
        )
        self.env.invalidate_all()
        self.assertEqual(lot.med_release_state, "released")
        self.assertFalse(lot._aps_is_available_for_planning())
        # and fail closed: a lot that never entered release control, in a category that
        # blocks consumption, is no material either
        self.category.med_block_consumption = True
        ghost = self.env["stock.lot"].create(
            {"name": "TUBE-GHOST", "product_id": self.component.id}
        )
        self.assertFalse(ghost._aps_is_available_for_planning())

    def test_release_lead_time_after_final_operation(self):
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.device.product_tmpl_id.id,
                "bom_line_ids": [
                    Command.create({"product_id": self.component.id, "product_qty": 1})
                ],
            }
        )
        production = self.env["mrp.production"].create(
            {"product_id": self.device.id, "bom_id": bom.id, "product_qty": 2}
        )
        self.assertEqual(production._aps_release_lead_minutes(), 240)
        self.category.med_release_lead_minutes = 30
        self.assertEqual(production._aps_release_lead_minutes(), 30)
        self.category.med_quarantine_on_production = False
        self.assertEqual(production._aps_release_lead_minutes(), 0)
        free = self.env["mrp.production"].create(
            {"product_id": self.free_device.id, "product_qty": 1}
        )
        self.assertEqual(free._aps_release_lead_minutes(), 0, "category without quarantine")

    def test_planner_does_not_count_quarantined_stock(self):
        """med_aps waits for the next receipt while the lot on hand is in quarantine."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        lot = self.env["stock.lot"].create({"name": "TUBE-Q", "product_id": self.component.id})
        quant = self.env["stock.quant"].create(
            {
                "product_id": self.component.id,
                "location_id": warehouse.lot_stock_id.id,
                "lot_id": lot.id,
                "inventory_quantity": 10,
            }
        )
        quant.action_apply_inventory()
        lot._med_enter_quarantine("receipt")
        origin = fields.Datetime.now()
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "scheduled_date": origin + timedelta(days=1),
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.component.id,
                            "product_uom_qty": 10,
                            "date": origin + timedelta(days=1),
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.device.product_tmpl_id.id,
                "bom_line_ids": [
                    Command.create({"product_id": self.component.id, "product_qty": 1})
                ],
            }
        )
        production = self.env["mrp.production"].create(
            {"product_id": self.device.id, "bom_id": bom.id, "product_qty": 5}
        )
        production.action_confirm()
        raw_move = production.move_raw_ids
        waiting = production._aps_component_available_minutes(origin)
        self.assertAlmostEqual(waiting[raw_move.id], 24 * 60, delta=5)
        self._sign_release(lot)
        self.assertEqual(production._aps_component_available_minutes(origin), {})

    def test_lot_decisions_are_plan_events_when_an_order_needs_the_lot(self):
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.device.product_tmpl_id.id,
                "bom_line_ids": [
                    Command.create({"product_id": self.component.id, "product_qty": 1})
                ],
            }
        )
        production = self.env["mrp.production"].create(
            {"product_id": self.device.id, "bom_id": bom.id, "product_qty": 2}
        )
        production.action_confirm()
        Event = self.env["med.aps.plan.event"]

        def lot_events(lot):
            return Event.search([("lot_id", "=", lot.id)], order="id")

        lot = self.env["stock.lot"].create({"name": "TUBE-EV", "product_id": self.component.id})
        lot._med_enter_quarantine("receipt")
        self.assertEqual(lot_events(lot).mapped("kind"), ["lot_blocked"])
        self._sign_release(lot)
        self.assertEqual(lot_events(lot).mapped("kind"), ["lot_blocked", "lot_released"])
        self.assertIn("Lot TUBE-EV released", lot_events(lot)[-1].message)
        lot.action_med_hold("Supplier recall")
        self.assertEqual(lot_events(lot)[-1].kind, "lot_blocked")
        # no open order needs the clamp: its lots make no plan event
        clamp_lot = self.env["stock.lot"].create(
            {"name": "CLAMP-1", "product_id": self.free_device.id}
        )
        clamp_lot.action_med_hold("Dropped on the floor")
        self.assertFalse(lot_events(clamp_lot))
        # a released lot rejected by QA: no longer usable, a plan event
        rejected = self.env["stock.lot"].create(
            {"name": "TUBE-RJ", "product_id": self.component.id}
        )
        rejected._med_enter_quarantine("receipt")
        self._sign_release(rejected)
        action = rejected.with_user(self.manager).action_med_quality_reject()
        wizard = self.env["med.signature.wizard"].with_user(self.manager).browse(action["res_id"])
        wizard.comment = "Burst test failed"
        wizard.with_context(password="qr_bridge_manager").action_sign()
        self.assertEqual(rejected.med_release_state, "rejected")
        self.assertEqual(
            lot_events(rejected).mapped("kind"), ["lot_blocked", "lot_released", "lot_blocked"]
        )
        self.assertIn("Lot TUBE-RJ held or rejected", lot_events(rejected)[-1].message)
        # the lot events (and the order's confirmation) queue one repair, which names them
        pending = Event.search(
            [("state", "=", "pending"), ("company_id", "=", self.env.company.id)]
        )
        self.assertTrue(lot_events(lot) | lot_events(rejected) <= pending)
        self.env["med.aps.plan.repair"]._cron_repair_plans()
        repair = pending.repair_run_id
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.trigger, "repair")
        self.assertEqual(repair.repair_event_ids, pending)
        reason = repair._aps_repair_reason(limit=len(pending))
        for event in lot_events(lot) | lot_events(rejected):
            self.assertIn(event.message, reason)

    def test_pegging_pegs_only_released_lots(self):
        """Material pegging covers a requirement with released lots only; the quarantined
        lot on hand covers nothing and the rest waits for the receipt."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        held = self.env["stock.lot"].create({"name": "TUBE-QP", "product_id": self.component.id})
        released = self.env["stock.lot"].create(
            {"name": "TUBE-RP", "product_id": self.component.id}
        )
        for lot, quantity in ((held, 10), (released, 3)):
            self.env["stock.quant"].create(
                {
                    "product_id": self.component.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "lot_id": lot.id,
                    "inventory_quantity": quantity,
                }
            ).action_apply_inventory()
            lot._med_enter_quarantine("receipt")
        self._sign_release(released)
        origin = fields.Datetime.now()
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "scheduled_date": origin + timedelta(days=1),
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.component.id,
                            "product_uom_qty": 10,
                            "date": origin + timedelta(days=1),
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        production = self._assembly_order(5)
        self._plan(production)
        pegs = self.env["med.aps.peg"].search([("move_id", "=", production.move_raw_ids.id)])
        self.assertEqual(sum(pegs.mapped("quantity")), 5)
        self.assertNotIn(held, pegs.lot_id)
        on_hand = pegs.filtered(lambda p: p.supply_kind == "stock")
        self.assertEqual((on_hand.lot_id, on_hand.quantity), (released, 3))
        from_receipt = pegs.filtered(lambda p: p.supply_kind == "receipt")
        self.assertEqual(from_receipt.supply_move_id, receipt.move_ids)
        self.assertEqual(from_receipt.quantity, 2)

    def test_release_lead_is_counted_once_in_pegging_and_holding(self):
        """A sub-assembly released 240 minutes after its last operation is pegged to the
        order consuming it, and held in stock, from its planned release: the release the plan
        writes already counts the lead time."""
        workcenter = self.env["mrp.workcenter"].create({"name": "Set assembly"})
        self.device.standard_price = 10.0
        kit = self.env["product.product"].create(
            {"name": "Procedure kit", "is_storable": True, "categ_id": self.free_category.id}
        )

        def bom(product, lines):
            return self.env["mrp.bom"].create(
                {
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "bom_line_ids": [
                        Command.create({"product_id": component.id, "product_qty": qty})
                        for component, qty in lines
                    ],
                    "operation_ids": [
                        Command.create(
                            {
                                "name": "Assemble %s" % product.name,
                                "workcenter_id": workcenter.id,
                                "time_cycle_manual": 10,
                            }
                        )
                    ],
                }
            )

        deadline = fields.Datetime.now() + timedelta(days=10)
        sets = self.env["mrp.production"].create(
            {
                "product_id": self.device.id,
                "bom_id": bom(self.device, []).id,
                "product_qty": 8,
                "date_deadline": deadline,
            }
        )
        kits = self.env["mrp.production"].create(
            {"product_id": kit.id, "bom_id": bom(kit, [(self.device, 1)]).id, "product_qty": 5}
        )
        (sets | kits).action_confirm()
        run = self.env["med.aps.run"].create(
            {
                "trigger": "api",
                "production_ids": [Command.set((sets | kits).ids)],
                "time_limit": 2.0,
                "workers": 1,
            }
        )
        run._process_now()
        self.assertEqual(run.state, "done", run.failure_reason)
        last_end = max(sets.workorder_ids.mapped("date_finished"))
        self.assertEqual(sets.aps_planned_finish, last_end + timedelta(minutes=240))

        [peg] = self.env["med.aps.peg"].search([("move_id", "=", kits.move_raw_ids.id)])
        self.assertEqual((peg.supply_kind, peg.supply_production_id), ("production", sets))
        self.assertEqual(peg.date_supply, sets.aps_planned_finish)

        # the 3 sets no kit takes are held from their release to their order's deadline
        [held] = self.env["med.aps.holding.kpi"].search(
            [
                ("run_id", "=", run.id),
                ("kind", "=", "finished"),
                ("product_id", "=", self.device.id),
            ]
        )
        self.assertEqual(held.quantity, 3)
        days = (deadline - sets.aps_planned_finish).total_seconds() / 86400
        self.assertAlmostEqual(held.days, days, places=4)

    def _sign_reject(self, lot):
        action = lot.with_user(self.manager).action_med_quality_reject()
        wizard = self.env["med.signature.wizard"].with_user(self.manager).browse(action["res_id"])
        wizard.comment = "Burst test failed"
        wizard.with_context(password="qr_bridge_manager").action_sign()

    def _lots_on_hand(self, *names):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        lots = self.env["stock.lot"]
        for name in names:
            lot = self.env["stock.lot"].create({"name": name, "product_id": self.component.id})
            self.env["stock.quant"].create(
                {
                    "product_id": self.component.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 3,
                }
            ).action_apply_inventory()
            lots |= lot
        return lots

    def _assembly_order(self, quantity):
        workcenter = self.env["mrp.workcenter"].create({"name": "Set assembly"})
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.device.product_tmpl_id.id,
                "bom_line_ids": [
                    Command.create({"product_id": self.component.id, "product_qty": 1})
                ],
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Assemble",
                            "workcenter_id": workcenter.id,
                            "time_cycle_manual": 10,
                        }
                    )
                ],
            }
        )
        production = self.env["mrp.production"].create(
            {"product_id": self.device.id, "bom_id": bom.id, "product_qty": quantity}
        )
        production.action_confirm()
        return production

    def _plan(self, production):
        run = self.env["med.aps.run"].create(
            {
                "trigger": "api",
                "production_ids": [Command.set(production.ids)],
                "time_limit": 2.0,
                "workers": 1,
            }
        )
        run._process_now()
        self.assertEqual(run.state, "done", run.failure_reason)
        return run

    def _held_lot_issues(self, production):
        """The check's lot issues of ``production`` (other orders of the database, demo
        data included, may consume lots in quarantine)."""
        check = self.env["med.aps.plan.check"]._aps_check_company(self.env.company)
        return check.issue_ids.filtered(
            lambda issue: issue.kind == "held_lot" and issue.production_id == production
        )

    def test_an_order_consuming_a_held_or_rejected_lot_is_a_plan_problem(self):
        """Lots reserved for an order, then held or rejected by QA: the plan check names the
        order and the lot."""
        held, rejected = self._lots_on_hand("TUBE-HL", "TUBE-RJ")
        self._sign_release(held | rejected)
        production = self._assembly_order(5)
        production.action_assign()
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id, held | rejected)
        self.assertFalse(self._held_lot_issues(production))
        held.action_med_hold("Supplier recall")
        self._sign_reject(rejected)
        issues = self._held_lot_issues(production)
        self.assertEqual(len(issues), 2, "an order planned to consume a held or rejected lot")
        self.assertEqual(issues.lot_id, held | rejected)
        self.assertEqual(issues.production_id, production)
        by_lot = {issue.lot_id: issue for issue in issues}
        consumer = by_lot[held].workorder_id.display_name or production.name
        self.assertIn(production.name, consumer)
        self.assertEqual(
            by_lot[held].message,
            "%s is planned to consume lot TUBE-HL of Tubing, which is on hold." % consumer,
        )
        self.assertIn("lot TUBE-RJ of Tubing, which is rejected", by_lot[rejected].message)
        # and the order says it at the top of its form
        production.invalidate_recordset(["aps_plan_issue_note"])
        self.assertIn("which is on hold", production.aps_plan_issue_note)
        # a hold released: no longer a problem
        held.action_med_release_hold("Recall closed")
        self.assertEqual(self._held_lot_issues(production).lot_id, rejected)

    def test_an_order_reserved_on_a_lot_in_quarantine_is_warned(self):
        """A lot reserved before QA released it: a warning (it must be released in time),
        gone once it is released."""
        lot = self._lots_on_hand("TUBE-QT")
        self.assertEqual(lot.med_release_state, "quarantine")
        production = self._assembly_order(2)
        production.action_assign()
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id, lot)
        [issue] = self._held_lot_issues(production)
        self.assertEqual((issue.production_id, issue.lot_id), (production, lot))
        self.assertEqual(issue.severity, "1")
        consumer = issue.workorder_id.display_name or production.name
        self.assertEqual(
            issue.message,
            "%s is planned to consume lot TUBE-QT of Tubing, which is in quarantine: it must "
            "be released before it is consumed." % consumer,
        )
        self._sign_release(lot)
        self.assertFalse(self._held_lot_issues(production))

    def test_a_lot_the_plan_pegs_then_held_is_a_plan_problem(self):
        """Not reserved, only pegged by the plan to the order: held afterwards, a problem."""
        lot = self._lots_on_hand("TUBE-PG")
        self._sign_release(lot)
        production = self._assembly_order(2)
        production.do_unreserve()
        self.assertFalse(production.move_raw_ids.move_line_ids)
        self._plan(production)
        pegs = self.env["med.aps.peg"].search([("production_id", "=", production.id)])
        self.assertEqual(pegs.lot_id, lot)
        self.assertFalse(self._held_lot_issues(production))
        lot.action_med_hold("Dropped on the floor")
        [issue] = self._held_lot_issues(production)
        self.assertFalse(production.move_raw_ids.move_line_ids, "only the plan pegs the lot")
        self.assertEqual((issue.production_id, issue.lot_id), (production, lot))
        self.assertIn("lot TUBE-PG of Tubing, which is on hold", issue.message)
