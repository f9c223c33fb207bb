"""CAPA: problem, containment, root cause, actions as activities of their owners, the
effectiveness check after its period, the closure signed by a QA Manager only, and the KPIs."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedQualityCommon, MedQualityRpcCase


class MedCapaCommon(MedQualityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nonconformance = (
            cls.env["med.quality.nonconformance"]
            .with_user(cls.inspector)
            .create({"product_id": cls.component.id, "description": "Pouch seal open"})
        )

    @classmethod
    def new_capa(cls, **values):
        return (
            cls.env["med.capa"]
            .with_user(cls.inspector)
            .create(
                dict(
                    {
                        "title": "Open pouch seals",
                        "product_id": cls.component.id,
                        "problem": "3 pouches of 80 with an open seal at receipt",
                        "nonconformance_ids": [fields.Command.set(cls.nonconformance.ids)],
                    },
                    **values,
                )
            )
        )

    @classmethod
    def to_verification(cls, capa, days=0):
        """Containment, root cause, one action done: the effectiveness check is due."""
        capa.write({"containment": "Supplier lots on hold", "effectiveness_days": days})
        capa.action_start_analysis()
        capa.write(
            {
                "why_1": "The seal is open",
                "why_2": "The sealing temperature drifted",
                "cause_category": "machine",
                "root_cause": "Sealer thermocouple out of calibration at the supplier",
            }
        )
        capa.action_start_actions()
        capa.write(
            {
                "action_ids": [
                    fields.Command.create(
                        {
                            "name": "Recalibrate the sealer",
                            "owner_id": cls.inspector.id,
                            "date_deadline": fields.Date.today() + timedelta(days=7),
                        }
                    )
                ]
            }
        )
        capa.action_ids.result = "Recalibrated, certificate attached"
        capa.action_ids.action_done()
        capa.action_start_verification()
        capa.write(
            {"effectiveness_result": "effective", "effectiveness_note": "No open seal since"}
        )
        return capa

    def _capa_with_action(self, name, owner):
        """A CAPA in its action phase with one action of ``owner`` due in five days."""
        capa = self.new_capa(containment="Lots on hold")
        capa.action_start_analysis()
        capa.write(
            {"why_1": "a", "why_2": "b", "cause_category": "material", "root_cause": "Film lot"}
        )
        capa.action_start_actions()
        capa.write(
            {
                "action_ids": [
                    fields.Command.create(
                        {
                            "name": name,
                            "owner_id": owner.id,
                            "date_deadline": fields.Date.today() + timedelta(days=5),
                        }
                    )
                ]
            }
        )
        return capa, capa.action_ids


@tagged("post_install", "-at_install")
class TestCapaFlow(MedCapaCommon):
    def test_steps_actions_and_activities(self):
        capa = self.new_capa()
        self.assertTrue(capa.name.startswith("CAPA/"))
        self.assertEqual(capa.state, "open")
        with self.assertRaisesRegex(UserError, "containment"):
            capa.action_start_analysis()
        capa.containment = "Lots on hold"
        capa.action_start_analysis()
        with self.assertRaisesRegex(UserError, "at least two whys, a cause category"):
            capa.action_start_actions()
        capa.write(
            {"why_1": "a", "why_2": "b", "cause_category": "material", "root_cause": "Film lot"}
        )
        capa.action_start_actions()
        due = fields.Date.today() + timedelta(days=10)
        capa.write(
            {
                "action_ids": [
                    fields.Command.create(
                        {"name": "Change film", "owner_id": self.manager.id, "date_deadline": due}
                    ),
                    fields.Command.create(
                        {
                            "name": "Audit supplier",
                            "owner_id": self.inspector.id,
                            "date_deadline": due,
                        }
                    ),
                ]
            }
        )
        change, audit = capa.action_ids
        # each owner has an activity on the CAPA with the due date
        self.assertEqual(change.activity_id.user_id, self.manager)
        self.assertEqual(change.activity_id.date_deadline, due)
        self.assertEqual(change.activity_id.res_id, capa.id)
        self.assertEqual(capa.activity_ids.user_id, self.manager | self.inspector)
        with self.assertRaisesRegex(UserError, "actions still open: Change film, Audit supplier"):
            capa.action_start_verification()
        with self.assertRaisesRegex(UserError, "write what was done"):
            change.action_done()
        change.result = "New film qualified"
        change.action_done()
        self.assertEqual(change.state, "done")
        self.assertFalse(change.activity_id)  # the activity is marked done
        self.assertEqual(capa.activity_ids.user_id, self.inspector)
        audit.result = "Audit passed"
        audit.action_done()
        capa.action_start_verification()
        self.assertEqual(capa.state, "verification")
        self.assertEqual(capa.verification_due_date, fields.Date.today() + timedelta(days=90))
        verify = capa.activity_ids
        self.assertEqual(verify.date_deadline, capa.verification_due_date)
        self.assertEqual(verify.user_id, self.inspector)  # the CAPA owner
        # not effective: back to the actions
        with self.assertRaisesRegex(UserError, "not effective"):
            capa.action_reopen_actions()
        capa.effectiveness_result = "not_effective"
        capa.action_reopen_actions()
        self.assertEqual((capa.state, capa.verification_due_date), ("action", False))

    def test_an_action_done_from_its_activity(self):
        capa, action = self._capa_with_action("Audit supplier", self.inspector)
        activity = action.activity_id.with_user(self.inspector)
        # marked done without saying what was done: refused, the activity and the action stay
        with self.assertRaisesRegex(UserError, "write what was done"):
            activity.action_done()
        self.assertTrue(activity.active)
        self.assertEqual(action.state, "open")
        # with feedback, from the chatter: the action is done with it as its result
        activity.action_feedback(feedback="Audit passed, report attached")
        self.assertFalse(activity.active)  # done activities are archived
        self.assertEqual(action.state, "done")
        self.assertEqual(action.result, "Audit passed, report attached")
        self.assertEqual(action.date_done, fields.Date.context_today(action))
        self.assertFalse(action.activity_id)
        capa.action_start_verification()
        self.assertEqual(capa.state, "verification")

    def test_closed_with_signature(self):
        capa = self.to_verification(self.new_capa())
        manager_capa = capa.with_user(self.manager)
        action = manager_capa.action_close()
        wizard = self.env["med.signature.wizard"].with_user(self.manager).browse(action["res_id"])
        wizard.comment = "Effectiveness verified"
        wizard.with_context(password=self.MANAGER_PASSWORD).action_sign()
        self.assertEqual(capa.state, "closed")
        signature = capa.closing_signature_id
        self.assertEqual((signature.meaning, signature.signer_id), ("closed", self.manager))
        self.assertEqual((signature.res_model, signature.res_id), ("med.capa", capa.id))
        self.assertIn("Sealer thermocouple", signature.content_json)
        self.assertTrue(signature.hash_valid)
        self.assertFalse(capa.activity_ids)
        # closed and signed: frozen, even for the superuser
        with self.assertRaisesRegex(UserError, "closed and signed"):
            capa.sudo().write({"root_cause": "Another cause"})
        with self.assertRaisesRegex(UserError, "closed and signed"):
            capa.action_ids.sudo().write({"result": "changed"})
        with self.assertRaises(UserError):
            capa.sudo().unlink()

    def test_not_closed_before_the_check_is_due(self):
        capa = self.to_verification(self.new_capa(), days=30)
        with self.assertRaisesRegex(UserError, "before its effectiveness check is due"):
            capa.with_user(self.manager).action_close()
        capa.effectiveness_result = "not_effective"
        with self.assertRaisesRegex(UserError, "verified effective"):
            capa.with_user(self.manager).action_close()

    def test_inspector_cannot_close(self):
        capa = self.to_verification(self.new_capa())
        with self.assertRaisesRegex(AccessError, "Only a QA Manager"):
            capa.action_close()
        with self.assertRaisesRegex(UserError, "cannot be written by hand"):
            capa.write({"state": "closed"})
        with self.assertRaisesRegex(UserError, "cannot be set by hand"):
            self.new_capa(state="closed")
        forged = (
            self.env["med.capa"]
            .with_user(self.inspector)
            .with_context(default_state="closed", default_date_closed="2026-01-01 00:00:00")
            .create({"title": "Forged", "problem": "Closed through the context"})
        )
        self.assertEqual((forged.state, forged.date_closed), ("open", False))
        self.assertEqual(capa.state, "verification")

    def test_kpis_age_and_recurrence(self):
        first = self.new_capa(cause_category="machine")
        second = self.new_capa(cause_category="machine")
        other = self.new_capa(cause_category="material")
        self.assertEqual(
            (first.recurrence_count, second.recurrence_count, other.recurrence_count), (0, 1, 0)
        )
        self.env.flush_all()
        report = self.env["med.capa.report"].search(
            [("capa_id", "in", (first | second | other).ids)]
        )
        by_capa = {row.capa_id: row for row in report}
        self.assertEqual(by_capa[second].recurrence, 1)
        self.assertEqual(by_capa[first].recurrence, 0)
        self.assertTrue(all(row.is_open and row.age_bucket == "a_0_30" for row in report))
        groups = self.env["med.capa.report"]._read_group(
            [("capa_id", "in", report.capa_id.ids)], ["cause_category"], ["recurrence:sum"]
        )
        self.assertEqual(dict(groups), {"machine": 1, "material": 0})


@tagged("post_install", "-at_install")
class TestCapaSecurityRpc(MedQualityRpcCase, MedCapaCommon):
    def test_inspector_cannot_close_over_rpc(self):
        capa = self.to_verification(self.new_capa())
        self.env.flush_all()
        before = capa.read(["state", "closing_signature_id", "date_closed"])
        signatures = self.env["med.signature"].sudo().search_count([])
        self.assertRefused(
            "Only a QA Manager", self.inspector, "med.capa", "action_close", [capa.id]
        )
        self.assertRefused(
            "You are not allowed to create",
            self.inspector,
            "med.signature.wizard",
            "create",
            {"action": "close_capa", "res_model": "med.capa", "res_id": capa.id, "comment": "x"},
        )
        self.assertRefused(
            "cannot be written by hand",
            self.inspector,
            "med.capa",
            "write",
            [capa.id],
            {"state": "closed"},
        )
        self.assertRefused(
            "cannot be called remotely",
            self.inspector,
            "med.capa",
            "_med_apply_signature",
            [capa.id],
            "close_capa",
            False,
        )
        self.env.invalidate_all()
        self.assertEqual(capa.read(["state", "closing_signature_id", "date_closed"]), before)
        self.assertEqual(self.env["med.signature"].sudo().search_count([]), signatures)

    def test_an_owner_without_capa_rights_cannot_do_the_action_from_its_activity(self):
        capa, action = self._capa_with_action("Check the sealer", self.stock_user)
        activity = action.activity_id
        self.env.flush_all()
        self.assertRefused(
            "not allowed",
            self.stock_user,
            "mail.activity",
            "action_feedback",
            [activity.id],
            feedback="Sealer fine",
        )
        self.env.invalidate_all()
        self.assertEqual(
            (action.state, action.result, action.activity_id), ("open", False, activity)
        )
        self.assertTrue(activity.active)


@tagged("post_install", "-at_install")
class TestCapaSources(MedCapaCommon):
    def test_open_from_nonconformance_and_alert(self):
        nonconformance = self.nonconformance.with_user(self.inspector)
        action = nonconformance.action_med_open_capa()
        self.assertEqual(action["res_model"], "med.capa")
        context = action["context"]
        self.assertEqual(context["default_nonconformance_ids"], [nonconformance.id])
        self.assertEqual(context["default_product_id"], self.component.id)
        capa = (
            self.env["med.capa"]
            .with_user(self.inspector)
            .with_context(**context)
            .create({"title": "From the NC"})
        )
        self.assertEqual(capa.problem, "Pouch seal open")
        self.assertEqual(nonconformance.capa_ids, capa)
        # the next time the button opens the linked CAPA
        action = nonconformance.action_med_open_capa()
        self.assertEqual(action["res_id"], capa.id)
