from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestRecallImpactSecurity(HttpCase, MedTraceCommon):
    """The impact of a recall, intermediate lots included, over XML-RPC by weaker users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_catheter_genealogy()
        cls.trace_user = new_test_user(
            cls.env, login="impact_trace_user", groups="med_trace.group_trace_user"
        )
        cls.stock_user = new_test_user(
            cls.env, login="impact_stock_user", groups="stock.group_stock_user"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Sterile Plant B"})
        cls.tracer_b = new_test_user(
            cls.env,
            login="impact_tracer_b",
            groups="med_trace.group_trace_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def rpc(self, user, model, method, *args):
        """Call ``model.method`` over XML-RPC as ``user`` (password = login)."""
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args)
            )

    def assertRefused(self, pattern, user, model, method, *args):
        with mute_logger("odoo.http"), self.assertRaises(Fault, msg=f"{user.login} {method}") as e:
            self.rpc(user, model, method, *args)
        self.assertRegex(e.exception.faultString, pattern)

    def _compute_recall(self, user):
        wizard_id = self.rpc(
            user,
            "med.recall.wizard",
            "create",
            {"lot_ids": [(6, 0, self.lot_cr.ids)], "reason": "Resin lot CR"},
        )
        return self.rpc(user, "med.recall.wizard", "action_compute", [wizard_id])["res_id"]

    def test_only_trace_users_compute_and_read_the_impact(self):
        count = self.env["med.recall"].search_count([])
        self.assertRefused(
            "not allowed", self.stock_user, "med.recall.wizard", "create", {"reason": "x"}
        )
        self.assertRefused("not allowed", self.stock_user, "med.recall", "create", {"reason": "x"})
        self.assertEqual(self.env["med.recall"].search_count([]), count)

        recall_id = self._compute_recall(self.trace_user)
        lines = self.rpc(
            self.trace_user,
            "med.recall.line",
            "search_read",
            [("recall_id", "=", recall_id), ("kind", "=", "lot_group")],
            ["level", "lot_count", "grouped_lot_ids"],
        )
        self.assertEqual(
            [(line["level"], line["lot_count"], line["grouped_lot_ids"]) for line in lines],
            [(1, 2, (self.lot_cs1 | self.lot_cs2).ids)],
        )
        group_id = lines[0]["id"]
        action = self.rpc(
            self.trace_user, "med.recall.line", "action_view_grouped_lots", [group_id]
        )
        self.assertEqual(action["domain"], [["id", "in", (self.lot_cs1 | self.lot_cs2).ids]])

        # a stock user, and a tracer of another company, see neither the lines nor the lots
        for user, pattern in (
            (self.stock_user, "not allowed"),
            (self.tracer_b, "multi-company issue"),
        ):
            self.assertRefused(
                pattern, user, "med.recall.line", "read", [group_id], ["grouped_lot_ids"]
            )
            self.assertRefused(
                pattern, user, "med.recall.line", "action_view_grouped_lots", [group_id]
            )
            self.assertRefused(pattern, user, "med.recall", "action_compute", [recall_id])

    def test_confirmed_intermediate_lots_cannot_be_rewritten(self):
        recall = self.env["med.recall"].browse(self._compute_recall(self.trace_user))
        recall.action_confirm()
        group = recall.line_ids.filtered(lambda line: line.kind == "lot_group")
        self.assertRefused(
            "is confirmed and cannot be changed",
            self.trace_user,
            "med.recall.line",
            "write",
            group.ids,
            {"grouped_lot_ids": [], "lot_count": 0},
        )
        self.env.invalidate_all()
        self.assertEqual(
            (group.lot_count, group.grouped_lot_ids), (2, (self.lot_cs1 | self.lot_cs2).ids)
        )
