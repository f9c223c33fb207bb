"""Holds, DHR, recall confirmation and exports attacked over XML-RPC by weaker users."""

import csv
import io
import zipfile
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools.export import rows_to_csv, rows_to_xlsx
from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestSecurityHold(HttpCase, MedTraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(
            cls.env, login="hold_stock_user", groups="stock.group_stock_user"
        )
        cls.trace_user = new_test_user(
            cls.env, login="hold_trace_user", groups="med_trace.group_trace_user"
        )
        cls.trace_manager = new_test_user(
            cls.env, login="hold_trace_manager", groups="med_trace.group_trace_manager"
        )

    def rpc(self, user, model, method, *args, context=None, **kwargs):
        """Call ``model.method`` over XML-RPC as ``user`` (password = login)."""
        if context is not None:
            kwargs["context"] = context
        # the endpoint's deprecation notice (Odoo 19) is not what these tests are about
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
            )

    def assertRefused(self, message, user, model, method, *args, **kwargs):
        # the server logs each refused call as a warning: expected here
        with mute_logger("odoo.http"), self.assertRaises(Fault) as error:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertIn(message, error.exception.faultString)

    def _hold_snapshot(self, lot):
        self.env.invalidate_all()
        return [
            (h.id, h.reason, h.user_id.id, h.date, h.state, h.release_reason, h.released_by_id.id)
            for h in lot.med_hold_ids.sorted("id")
        ]

    # ------------------------------------------------------------------
    # The hold flag is derived from the holds
    # ------------------------------------------------------------------
    def test_stock_user_cannot_forge_hold_flag(self):
        # set the flag so that a real hold would be refused as "already on hold"
        self.assertRefused(
            "derived from the holds",
            self.stock_user,
            "stock.lot",
            "write",
            [self.lot_s1.id],
            {"med_hold_active": True},
        )
        self.env.invalidate_all()
        self.assertFalse(self.lot_s1.med_hold_active)
        # so the real hold goes through
        self.rpc(self.trace_user, "stock.lot", "action_med_hold", [self.lot_s1.id], "Bioburden")
        self.env.invalidate_all()
        self.assertTrue(self.lot_s1.med_hold_active)
        before = self._hold_snapshot(self.lot_s1)
        # and clearing the flag does not ship a held lot
        self.assertRefused(
            "derived from the holds",
            self.stock_user,
            "stock.lot",
            "write",
            [self.lot_s1.id],
            {"med_hold_active": False},
        )
        self.assertTrue(self.lot_s1.med_hold_active)
        self.assertIn("Bioburden", self.lot_s1._med_blocking_reasons("deliver")[self.lot_s1][0])
        self.assertEqual(self._hold_snapshot(self.lot_s1), before)

    def test_forged_flag_rederived_on_update(self):
        """A flag forged before the upgrade (plain field then) is derived again."""
        self.lot_f1.with_user(self.trace_user).action_med_hold("Real hold")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET med_hold_active = NOT med_hold_active WHERE id IN %s",
            [(self.lot_s1.id, self.lot_f1.id)],
        )
        self.env["stock.lot"].init()  # what the module update runs
        self.env.invalidate_all()
        self.assertFalse(self.lot_s1.med_hold_active)
        self.assertTrue(self.lot_f1.med_hold_active)

    def test_lot_created_on_hold_refused(self):
        self.assertRefused(
            "derived from the holds",
            self.stock_user,
            "stock.lot",
            "create",
            {"name": "FORGED-HOLD", "product_id": self.sub.id, "med_hold_active": True},
        )
        self.assertFalse(self.env["stock.lot"].search([("name", "=", "FORGED-HOLD")]))
        # a context default does not set it either
        lot_id = self.rpc(
            self.stock_user,
            "stock.lot",
            "create",
            {"name": "DEFAULT-HOLD", "product_id": self.sub.id},
            context={"default_med_hold_active": True, "default_med_dhr_frozen": True},
        )
        lot = self.env["stock.lot"].browse(lot_id)
        self.assertFalse(lot.med_hold_active)
        self.assertFalse(lot.med_dhr_frozen)
        self.assertFalse(lot._med_blocking_reasons("reserve"))
        # and the lot can be put on hold for real
        lot.with_user(self.trace_user).action_med_hold("Real hold")
        self.assertTrue(lot.med_hold_active)

    def test_hold_flag_tracked_from_holds(self):
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.rpc(self.trace_user, "stock.lot", "action_med_hold", [self.lot_f1.id], "Complaint")
        self.rpc(self.trace_manager, "stock.lot", "action_med_release_hold", [self.lot_f1.id], "OK")
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = self.env["mail.tracking.value"].search(
            [
                ("field_id.name", "=", "med_hold_active"),
                ("mail_message_id.model", "=", "stock.lot"),
                ("mail_message_id.res_id", "=", self.lot_f1.id),
            ]
        )
        self.assertTrue(tracked, "the hold flag is tracked in the lot's chatter")
        self.assertFalse(self.lot_f1.med_hold_active)

    # ------------------------------------------------------------------
    # DHR
    # ------------------------------------------------------------------
    def test_stock_user_cannot_unfreeze_dhr(self):
        self.lot_f1._med_freeze_dhr()
        frozen = self.lot_f1.med_dhr_attachment_id
        other = self.env["ir.attachment"].create({"name": "forged.pdf", "raw": b"forged"})
        for vals in (
            {"med_dhr_frozen": False},
            {"med_dhr_attachment_id": other.id},
            {"med_dhr_version": 0},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    "cannot be written directly",
                    self.stock_user,
                    "stock.lot",
                    "write",
                    [self.lot_f1.id],
                    vals,
                )
        self.env.invalidate_all()
        self.assertTrue(self.lot_f1.med_dhr_frozen)
        self.assertEqual(self.lot_f1.med_dhr_attachment_id, frozen)
        self.assertEqual(self.lot_f1.med_dhr_version, 1)
        self.assertRefused(
            "is frozen", self.stock_user, "stock.lot", "action_med_generate_dhr", [self.lot_f1.id]
        )
        # nor is the stored record itself replaced, renamed, detached or deleted
        content = frozen.raw
        for vals in (
            {"raw": b"forged"},
            {"datas": "Zm9yZ2Vk"},
            {"name": "other.pdf"},
            {"res_id": self.lot_s1.id},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    "Device History Record of a released lot is frozen",
                    self.stock_user,
                    "ir.attachment",
                    "write",
                    [frozen.id],
                    vals,
                )
        self.assertRefused(
            "cannot be changed or deleted", self.stock_user, "ir.attachment", "unlink", [frozen.id]
        )
        self.env.invalidate_all()
        self.assertEqual((frozen.raw, frozen.res_id), (content, self.lot_f1.id))
        # an attachment of a lot that is not a frozen DHR stays editable
        other.write({"res_model": "stock.lot", "res_id": self.lot_f1.id})
        self.rpc(self.stock_user, "ir.attachment", "write", [other.id], {"name": "note.pdf"})
        self.assertEqual(other.name, "note.pdf")

    # ------------------------------------------------------------------
    # Hold records: no context key opens the protected paths
    # ------------------------------------------------------------------
    def test_trace_manager_cannot_rewrite_or_release_hold_directly(self):
        self.rpc(self.trace_user, "stock.lot", "action_med_hold", [self.lot_s1.id], "Deviation")
        hold = self.lot_s1.med_hold_ids
        before = self._hold_snapshot(self.lot_s1)
        self.assertEqual(hold.user_id, self.trace_user)
        forged_context = {"install_mode": True, "med_hold_releasing": True}
        self.assertRefused(
            "cannot be modified",
            self.trace_manager,
            "med.lot.hold",
            "write",
            [hold.id],
            {"reason": "Nothing happened", "user_id": self.trace_manager.id, "date": "2020-01-01"},
            context=forged_context,
        )
        self.assertRefused(
            "Use the Release Hold action",
            self.trace_manager,
            "med.lot.hold",
            "write",
            [hold.id],
            {"state": "released", "release_date": "2020-01-01 00:00:00"},
            context=forged_context,
        )
        self.assertRefused(
            "not allowed to delete", self.trace_manager, "med.lot.hold", "unlink", [hold.id]
        )
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            hold.sudo().unlink()
        self.assertRefused(
            "Put on Hold action",
            self.trace_manager,
            "med.lot.hold",
            "create",
            {"lot_id": self.lot_f1.id, "reason": "direct", "state": "released"},
            context=forged_context,
        )
        self.assertEqual(self._hold_snapshot(self.lot_s1), before)
        self.assertTrue(self.lot_s1.med_hold_active)
        self.assertFalse(self.lot_f1.med_hold_ids)
        # releasing needs a reason, and the manager's right
        self.assertRefused(
            "needs a reason",
            self.trace_manager,
            "stock.lot",
            "action_med_release_hold",
            [self.lot_s1.id],
            "  ",
        )
        self.assertRefused(
            "Only a traceability manager",
            self.trace_user,
            "stock.lot",
            "action_med_release_hold",
            [self.lot_s1.id],
            "I may not",
        )
        self.assertEqual(self._hold_snapshot(self.lot_s1), before)
        self.rpc(
            self.trace_manager,
            "stock.lot",
            "action_med_release_hold",
            [self.lot_s1.id],
            "Deviation closed",
        )
        self.env.invalidate_all()
        self.assertEqual(
            (hold.state, hold.released_by_id, hold.release_reason, hold.reason, hold.user_id),
            ("released", self.trace_manager, "Deviation closed", "Deviation", self.trace_user),
        )
        self.assertFalse(self.lot_s1.med_hold_active)
        # the release is written once
        self.assertRefused(
            "Use the Release Hold action",
            self.trace_manager,
            "med.lot.hold",
            "write",
            [hold.id],
            {"release_reason": "rewritten"},
            context=forged_context,
        )
        with self.assertRaisesRegex(UserError, "Already released"):
            hold.sudo().write({"release_reason": "rewritten"})
        self.env.invalidate_all()
        self.assertEqual(hold.release_reason, "Deviation closed")
        messages = self.lot_s1.message_ids.mapped("body")
        self.assertTrue(any("Put on hold: Deviation" in body for body in messages))
        self.assertTrue(any("Hold released: Deviation closed" in body for body in messages))

    def test_hold_context_defaults_cannot_forge_hold(self):
        self.rpc(
            self.trace_user,
            "stock.lot",
            "action_med_hold",
            [self.lot_s1.id],
            "Complaint CC-1",
            context={
                "default_state": "released",
                "default_user_id": self.trace_manager.id,
                "default_date": "2020-01-01 00:00:00",
                "default_release_reason": "forged",
                "default_released_by_id": self.trace_manager.id,
            },
        )
        hold = self.lot_s1.med_hold_ids
        self.assertEqual(
            (hold.state, hold.user_id, hold.release_reason, hold.released_by_id.id),
            ("active", self.trace_user, False, False),
        )
        self.assertGreater(hold.date, fields.Datetime.to_datetime("2025-01-01"))
        self.assertTrue(self.lot_s1.med_hold_active)

    # ------------------------------------------------------------------
    # Recall confirmation
    # ------------------------------------------------------------------
    def test_recall_confirmation_needs_manager(self):
        wizard = (
            self.env["med.recall.wizard"]
            .with_user(self.trace_user)
            .create({"reason": "Resin contamination", "lot_ids": [(6, 0, self.lot_r1.ids)]})
        )
        recall = self.env["med.recall"].browse(wizard.action_compute()["res_id"])
        self.assertTrue(recall.line_ids)
        self.assertRefused(
            "Only a traceability manager can confirm",
            self.trace_user,
            "med.recall",
            "action_confirm",
            [recall.id],
        )
        self.assertRefused(
            "can only be set by the Confirm action",
            self.trace_user,
            "med.recall",
            "write",
            [recall.id],
            {"state": "confirmed", "confirmed_by_id": self.trace_manager.id},
        )
        self.assertRefused(
            "can only be set by the Confirm action",
            self.trace_user,
            "med.recall",
            "create",
            {"reason": "Forged", "state": "confirmed"},
        )
        recall_id = self.rpc(
            self.trace_user,
            "med.recall",
            "create",
            {"reason": "Default", "suspect_lot_ids": [(6, 0, self.lot_r1.ids)]},
            context={"default_state": "confirmed", "default_confirmed_date": "2020-01-01"},
        )
        created = self.env["med.recall"].browse(recall_id)
        self.assertEqual((created.state, created.confirmed_date), ("draft", False))
        self.env.invalidate_all()
        self.assertEqual((recall.state, recall.confirmed_by_id.id), ("draft", False))
        self.rpc(self.trace_manager, "med.recall", "action_confirm", [recall.id])
        self.env.invalidate_all()
        self.assertEqual((recall.state, recall.confirmed_by_id), ("confirmed", self.trace_manager))
        # holds of a recall still go through the hold path and name the recall
        recall.with_user(self.trace_user).action_hold_on_hand()
        self.assertTrue(recall.hold_ids)
        self.assertEqual(recall.hold_ids.user_id, self.trace_user)
        self.assertTrue(all(lot.med_hold_active for lot in recall.hold_ids.lot_id))

    # ------------------------------------------------------------------
    # Exports: no formula injection
    # ------------------------------------------------------------------
    def test_export_cells_never_formulas(self):
        header = ["Customer", "=Header"]
        rows = [
            ['=HYPERLINK("http://evil","x")', "+1+1"],
            ["-2+3", "@SUM(A1)"],
            ["\t=1", "\r=1"],
            ["Plain text", -5],
            ["a=b", 3.5],
        ]
        content = rows_to_csv(header, rows).decode("utf-8-sig")
        parsed = list(csv.reader(io.StringIO(content)))
        self.assertEqual(parsed[0], ["Customer", "'=Header"])
        self.assertEqual(parsed[1], ['\'=HYPERLINK("http://evil","x")', "'+1+1"])
        self.assertEqual(parsed[2], ["'-2+3", "'@SUM(A1)"])
        self.assertEqual(parsed[3], ["'\t=1", "'\r=1"])
        self.assertEqual(parsed[4], ["Plain text", "-5"], "numbers stay numbers")
        self.assertEqual(parsed[5], ["a=b", "3.5"])

        workbook = rows_to_xlsx(header, rows, sheet_name="Lot [A]/1:2")
        with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
            strings = archive.read("xl/sharedStrings.xml").decode()
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
            book = archive.read("xl/workbook.xml").decode()
        self.assertNotIn("<f>", sheet, "no cell is a formula")
        for text in ("'=HYPERLINK", "'+1+1", "'-2+3", "'@SUM(A1)", "'=Header", ">a=b<"):
            self.assertIn(text, strings.replace("&quot;", '"'))
        self.assertIn("<v>-5</v>", sheet)
        self.assertIn('name="Lot -A--1-2"', book)

    def test_recall_customer_export_escapes_names(self):
        self.customer.name = "=cmd|' /C calc'!A0"
        wizard = self.env["med.recall.wizard"].create(
            {"reason": "Injection", "lot_ids": [(6, 0, self.lot_r1.ids)]}
        )
        recall = self.env["med.recall"].browse(wizard.action_compute()["res_id"])
        _name, content, _mimetype, count = self.env["med.trace.job"]._med_recall_customers_file(
            recall, "csv"
        )
        self.assertEqual(count, 1)
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(rows[1][0], "'=cmd|' /C calc'!A0")
