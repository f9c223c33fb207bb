import datetime
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestRecall(MedTraceCommon):
    def _wizard(self, **vals):
        vals.setdefault("reason", "Supplier notified resin contamination")
        wizard = self.env["med.recall.wizard"].create(vals)
        action = wizard.action_compute()
        return self.env["med.recall"].browse(action["res_id"])

    def test_recall_from_raw_lot_finds_customer(self):
        recall = self._wizard(mode="lots", lot_ids=[(6, 0, self.lot_r1.ids)])
        self.assertEqual(recall.state, "draft")
        lots = recall.line_ids.filtered(lambda line: line.kind == "lot")
        self.assertEqual(lots.lot_id, self.lot_r1 | self.lot_s1 | self.lot_f1)
        self.assertEqual(
            {line.lot_id.name: line.level for line in lots}, {"R1": 0, "S1": 1, "F1": 2}
        )
        delivered = recall.line_ids.filtered(lambda line: line.kind == "delivered")
        self.assertEqual(delivered.partner_id, self.customer)
        self.assertEqual(delivered.lot_id, self.lot_f1)
        self.assertEqual(delivered.picking_id, self.delivery)
        self.assertEqual(delivered.quantity, 1)
        on_hand = recall.line_ids.filtered(lambda line: line.kind == "on_hand")
        self.assertEqual(
            {line.lot_id.name: line.quantity for line in on_hand}, {"R1": 4, "S1": 1, "F1": 1}
        )
        self.assertEqual(recall.customer_count, 1)

    def test_recall_open_transfer_listed(self):
        picking = self._delivery_picking(self.fin, 1)
        picking.action_assign()
        recall = self._wizard(mode="lots", lot_ids=[(6, 0, self.lot_s1.ids)])
        open_lines = recall.line_ids.filtered(lambda line: line.kind == "open_transfer")
        self.assertEqual(open_lines.picking_id, picking)
        self.assertEqual(open_lines.lot_id, self.lot_f1)

    def test_recall_from_supplier_and_dates(self):
        today = datetime.date.today()
        recall = self._wizard(
            mode="supplier",
            supplier_id=self.supplier.id,
            date_from=today - datetime.timedelta(days=1),
            date_to=today,
        )
        self.assertEqual(recall.suspect_lot_ids, self.lot_r1)
        self.assertIn(self.customer, recall.line_ids.partner_id)
        with self.assertRaisesRegex(UserError, "no lot was received from Sterile Polymers Ltd"):
            self._wizard(
                mode="supplier",
                supplier_id=self.supplier.id,
                date_from=today - datetime.timedelta(days=30),
                date_to=today - datetime.timedelta(days=20),
            )

    def test_recall_hold_export_and_immutability(self):
        recall = self._wizard(mode="lots", lot_ids=[(6, 0, self.lot_r1.ids)])
        recall.action_hold_on_hand()
        held = self.env["stock.lot"].search([("med_hold_active", "=", True)])
        self.assertEqual(held, self.lot_r1 | self.lot_s1 | self.lot_f1)
        self.assertEqual(recall.hold_ids.lot_id, held)
        self.assertIn(recall.name, recall.hold_ids[0].reason)
        with self.assertRaisesRegex(UserError, "already on hold"):
            recall.action_hold_on_hand()

        action = recall.action_export_customers_csv()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        content = self.env["ir.attachment"].browse(attachment_id).raw.decode("utf-8-sig")
        self.assertIn("St. Mary Hospital", content)
        self.assertIn("purchasing@stmary.example", content)
        self.assertIn(self.delivery.name, content)
        action = recall.action_export_customers_xlsx()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        self.assertEqual(self.env["ir.attachment"].browse(attachment_id).raw[:2], b"PK")

        recall.action_confirm()
        self.assertEqual(recall.state, "confirmed")
        self.assertTrue(recall.confirmed_date)
        reason = recall.reason
        with self.assertRaisesRegex(UserError, "is confirmed and cannot be changed"):
            recall.reason = "rewritten"
        with self.assertRaisesRegex(UserError, "is confirmed and cannot be changed"):
            recall.line_ids[0].quantity = 99
        with self.assertRaisesRegex(UserError, "is confirmed and cannot be changed"):
            recall.unlink()
        with self.assertRaisesRegex(UserError, "is confirmed and cannot be changed"):
            recall.action_compute()
        self.assertEqual(recall.reason, reason)
        self.assertTrue(recall.exists())

    def test_recall_without_lots_refused(self):
        count = self.env["med.recall"].search_count([])
        with self.assertRaisesRegex(UserError, "select at least one suspect lot"):
            self._wizard(mode="lots")
        self.assertEqual(self.env["med.recall"].search_count([]), count)

    def test_recall_lines_written_in_one_statement(self):
        """The impact lines are inserted in bulk: every value as the ORM would store it."""
        # an open MO consuming S1 (reserved, not done)
        production = self.env["mrp.production"].create(
            {"product_id": self.fin.id, "product_qty": 1, "bom_id": self.bom_fin.id}
        )
        production.action_confirm()
        production.action_assign()
        user = self.env["res.users"].create(
            {
                "name": "Recall QA",
                "login": "recall_qa",
                "group_ids": [Command.link(self.env.ref("med_trace.group_trace_user").id)],
            }
        )
        recall = self._wizard(mode="lots", lot_ids=[Command.set(self.lot_r1.ids)])
        recall = recall.with_user(user)
        recall.action_compute()
        lines = recall.line_ids
        stock, customers = self.stock_location.id, self.customer_location.id
        self.assertEqual(
            sorted(
                (
                    line.kind,
                    line.kind_sequence,
                    line.level,
                    line.lot_id.name,
                    line.product_id.id,
                    line.quantity,
                    line.location_id.id,
                    line.partner_id.id,
                    line.picking_id.id,
                    line.production_id.id,
                )
                for line in lines
            ),
            sorted(
                [
                    ("lot", 0, 0, "R1", self.raw.id, 4.0, False, False, False, False),
                    ("lot", 0, 1, "S1", self.sub.id, 1.0, False, False, False, False),
                    ("lot", 0, 2, "F1", self.fin.id, 1.0, False, False, False, False),
                    ("on_hand", 1, 0, "R1", self.raw.id, 4.0, stock, False, False, False),
                    ("on_hand", 1, 1, "S1", self.sub.id, 1.0, stock, False, False, False),
                    ("on_hand", 1, 2, "F1", self.fin.id, 1.0, stock, False, False, False),
                    (
                        "delivered",
                        2,
                        2,
                        "F1",
                        self.fin.id,
                        1.0,
                        customers,
                        self.customer.id,
                        self.delivery.id,
                        False,
                    ),
                    ("open_mo", 3, 1, "S1", self.sub.id, 1.0, stock, False, False, production.id),
                ]
            ),
        )
        self.assertEqual(lines.company_id, recall.company_id)
        self.assertEqual(lines.create_uid, user)
        self.assertTrue(all(line.create_date for line in lines))
        self.assertEqual(
            lines.filtered(lambda line: line.kind == "delivered").date,
            self.delivery.move_ids.move_line_ids.date,
        )
        self.assertEqual((recall.affected_lot_count, recall.customer_count), (3, 1))
        # computing again replaces the lines, and the impact list keeps its order
        recall.action_compute()
        self.assertEqual(len(recall.line_ids), 8)
        self.assertEqual(
            recall.line_ids.mapped("kind"), ["lot"] * 3 + ["on_hand"] * 3 + ["delivered", "open_mo"]
        )


@tagged("post_install", "-at_install")
class TestRecallIntermediateLots(MedTraceCommon):
    """The lots a recall does not act on one by one are listed per level and product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_catheter_genealogy()

    def _recall(self, lots):
        wizard = self.env["med.recall.wizard"].create(
            {"lot_ids": [Command.set(lots.ids)], "reason": "Resin lot CR out of specification"}
        )
        return self.env["med.recall"].browse(wizard.action_compute()["res_id"])

    def test_used_up_intermediate_lots_are_one_line_per_level(self):
        recall = self._recall(self.lot_cr)
        stock, customers = self.stock_location, self.customer_location
        # CR suspect; CS1 and CS2 used up (no stock, not delivered, no open move):
        # one line for level 1; CF1 and CF2 finished lots, one by one with where they are
        self.assertEqual(
            [
                (
                    line.kind,
                    line.level,
                    line.product_id,
                    line.lot_id.name,
                    line.lot_count,
                    line.quantity,
                    line.location_id,
                    line.partner_id,
                    line.picking_id,
                )
                for line in recall.line_ids
            ],
            [
                (
                    "lot",
                    0,
                    self.cath_raw,
                    "CR",
                    0,
                    0.0,
                    stock.browse(),
                    self.customer.browse(),
                    self.cath_delivery_1.browse(),
                ),
                (
                    "lot_group",
                    1,
                    self.cath_sub,
                    False,
                    2,
                    0.0,
                    stock.browse(),
                    self.customer.browse(),
                    self.cath_delivery_1.browse(),
                ),
                (
                    "lot",
                    2,
                    self.cath_fin,
                    "CF1",
                    0,
                    0.0,
                    stock.browse(),
                    self.customer.browse(),
                    self.cath_delivery_1.browse(),
                ),
                (
                    "lot",
                    2,
                    self.cath_fin,
                    "CF2",
                    0,
                    1.0,
                    stock.browse(),
                    self.customer.browse(),
                    self.cath_delivery_1.browse(),
                ),
                (
                    "on_hand",
                    2,
                    self.cath_fin,
                    "CF2",
                    0,
                    1.0,
                    stock,
                    self.customer.browse(),
                    self.cath_delivery_1.browse(),
                ),
                (
                    "delivered",
                    2,
                    self.cath_fin,
                    "CF1",
                    0,
                    2.0,
                    customers,
                    self.customer,
                    self.cath_delivery_1,
                ),
                (
                    "delivered",
                    2,
                    self.cath_fin,
                    "CF2",
                    0,
                    1.0,
                    customers,
                    self.clinic,
                    self.cath_delivery_2,
                ),
            ],
        )
        group = recall.line_ids.filtered(lambda line: line.kind == "lot_group")
        self.assertEqual(group.grouped_lot_ids, (self.lot_cs1 | self.lot_cs2).ids)
        self.assertEqual(
            (recall.affected_lot_count, recall.customer_count, recall.on_hand_lot_count),
            (5, 2, 1),
        )
        # the drill-down opens the lots of the line
        action = group.action_view_grouped_lots()
        self.assertEqual(action["res_model"], "stock.lot")
        self.assertEqual(
            self.env["stock.lot"].search(action["domain"]), self.lot_cs1 | self.lot_cs2
        )
        self.assertIn(recall.name, action["name"])

    def test_intermediate_lot_acted_on_stays_listed(self):
        # CS2 keeps one unit on hand: the recall lists it by itself, with its stock
        self.env["stock.quant"]._update_available_quantity(
            self.cath_sub, self.stock_location, 1, lot_id=self.lot_cs2
        )
        recall = self._recall(self.lot_cr)
        lots = recall.line_ids.filtered(lambda line: line.kind == "lot")
        self.assertEqual(
            {line.lot_id.name: (line.level, line.quantity) for line in lots},
            {"CR": (0, 0.0), "CS2": (1, 1.0), "CF1": (2, 0.0), "CF2": (2, 1.0)},
        )
        group = recall.line_ids.filtered(lambda line: line.kind == "lot_group")
        self.assertEqual((group.lot_count, group.grouped_lot_ids), (1, self.lot_cs1.ids))
        on_hand = recall.line_ids.filtered(lambda line: line.kind == "on_hand")
        self.assertEqual(on_hand.lot_id, self.lot_cs2 | self.lot_cf2)
        self.assertEqual(recall.affected_lot_count, 5)
        # a suspect lot is never grouped, even used up
        recall = self._recall(self.lot_cs1)
        self.assertEqual(
            [(line.kind, line.lot_id.name) for line in recall.line_ids],
            [("lot", "CS1"), ("lot", "CF1"), ("delivered", "CF1")],
        )

    def test_levels_are_shortest_distances(self):
        # 1 -> 2 -> 3 and 1 -> 3 (a diamond), 3 -> 1 (rework loop), 3 -> 4
        edges = [(1, 2, None), (2, 3, None), (1, 3, None), (3, 1, None), (3, 4, None)]
        self.assertEqual(self.env["stock.lot"]._med_distances([1], edges), {1: 0, 2: 1, 3: 1, 4: 2})

    def test_background_analysis_gives_the_same_lines(self):
        reference = self._recall(self.lot_cr)
        self.env["ir.config_parameter"].sudo().set_param("med_trace.background_threshold", 1)
        recall = self._recall(self.lot_cr)
        job = recall.job_ids
        self.assertEqual(job.size, 2, "the genealogy (4 links) is counted up to threshold + 1")
        self.assertIn("more than 1 genealogy links", job._med_size_label())
        self.assertFalse(recall.line_ids)
        # the scheduled action starts with nothing in cache; its progress commits are
        # not made in a test
        self.env.invalidate_all()
        cron = type(self.env["ir.cron"])
        with patch.object(cron, "_commit_progress", lambda *args, **kwargs: 3600.0):
            self.env["med.trace.job"]._cron_process_jobs()
        self.assertEqual(job.state, "done")

        def content(recall):
            return [
                (
                    line.kind,
                    line.level,
                    line.lot_id,
                    line.lot_count,
                    line.grouped_lot_ids,
                    line.quantity,
                    line.partner_id,
                )
                for line in recall.line_ids
            ]

        self.assertEqual(content(recall), content(reference))
        self.assertEqual(job.row_count, 7)
