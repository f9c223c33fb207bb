from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..wizard.med_signature_wizard import ACTION_MEANING


class MedQualityDemo(models.AbstractModel):
    """Builds the quality demo story through the module's own paths.

    Called from the demo data only. Receipts and productions go through Odoo's flows (the
    stock hook quarantines the lots and creates the checks); checks are recorded and
    decisions signed as the demo admin, a QA Manager. The signatures are made by the
    signing service itself; only the password prompt of the signing wizard is skipped,
    since demo data has no one to type it.
    """

    _name = "med.quality.demo"
    _description = "Quality Release Demo Story"

    @api.model
    def _med_demo_sign(self, record, action, comment):
        admin = self.env.ref("base.user_admin")
        record = record.with_user(admin)
        record._med_check_can_sign(action)
        signature = (
            self.env["med.signature"]
            .with_user(admin)
            ._med_sign(record, ACTION_MEANING[action], comment, record._med_signed_content())
        )
        record._med_apply_signature(action, signature)
        return signature

    @api.model
    def _med_demo_checks(self, lot):
        return self.env["med.quality.check"].search([("lot_id", "=", lot.id)], order="id")

    @api.model
    def _med_demo_return(self, receipt, lot):
        """Send ``lot`` back to the supplier with Odoo's return of ``receipt``."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=receipt.id, active_model="stock.picking")
            .create({"picking_id": receipt.id})
        )
        action = wizard.action_create_returns_all()
        picking = self.env["stock.picking"].browse(action["res_id"])
        self.env["med.trace.demo"]._med_demo_set_lines(picking.move_ids, {lot.product_id: lot})
        picking.button_validate()
        return picking

    @api.model
    def _med_demo_capa(self, nonconformance, user):
        """The supplier's contamination answered by a CAPA, at its actions step."""
        capa = (
            self.env["med.capa"]
            .with_user(user)
            .create(
                {
                    "title": self.env._("Contaminated silicone from the supplier"),
                    "problem": nonconformance.description,
                    "product_id": nonconformance.product_id.id,
                    "nonconformance_ids": [Command.set(nonconformance.ids)],
                    "containment": self.env._("Lot rejected and returned; next lots inspected."),
                    "why_1": self.env._("Black specks in the silicone"),
                    "why_2": self.env._("The supplier's mixer was not cleaned between batches"),
                    "cause_category": "material",
                    "root_cause": self.env._("Cleaning step missing from the supplier's procedure"),
                }
            )
        )
        capa.action_start_analysis()
        capa.action_start_actions()
        capa.write(
            {
                "action_ids": [
                    Command.create(
                        {
                            "name": self.env._("Supplier adds the cleaning step and trains"),
                            "owner_id": user.id,
                            "date_deadline": fields.Date.today() + timedelta(days=30),
                        }
                    )
                ]
            }
        )
        return capa

    @api.model
    def _med_demo_quality_story(self):
        """Silicone lots received into quarantine and inspected (one fails: nonconformance,
        rejected and returned to the supplier), catheters made from the released lot (one lot
        released with its frozen DHR and delivered, one rejected after a failed seal test),
        and an order that cannot consume a silicone lot still waiting for inspection."""
        ref = self.env.ref
        admin = ref("base.user_admin")
        flows = self.env["med.trace.demo"]
        silicone = ref("med_quality_release.demo_product_silicone")
        vendor = ref("med_quality_release.demo_partner_silicone_vendor")
        lots = good, bad, waiting = (
            ref("med_quality_release.demo_lot_silicone_good"),
            ref("med_quality_release.demo_lot_silicone_bad"),
            ref("med_quality_release.demo_lot_silicone_waiting"),
        )
        receipts = {lot: flows._med_demo_receive(silicone, lot, 20.0, vendor) for lot in lots}

        # incoming inspection: the good lot passes and is released
        self._med_demo_checks(good).with_user(admin).action_pass()
        self._med_demo_sign(
            good, "release", self.env._("Certificate of analysis and visual inspection conform.")
        )
        # one unit of the sample is contaminated: fail, nonconformance, back to the supplier
        failed = self._med_demo_checks(bad)
        failed.with_user(admin).write(
            {"defect_count": 1, "note": self.env._("Black specks in one sampled unit.")}
        )
        failed.with_user(admin).action_fail()
        nonconformance = failed.nonconformance_ids
        nonconformance.with_user(admin).write(
            {
                "disposition": "return",
                "disposition_note": self.env._(
                    "Contamination from the supplier's process: the lot goes back, the supplier "
                    "answers with a corrective action."
                ),
            }
        )
        self._med_demo_sign(
            bad, "reject", self.env._("Failed incoming inspection: see the nonconformance.")
        )
        self._med_demo_return(receipts[bad], bad)
        self._med_demo_sign(
            nonconformance, "close_nc", self.env._("Lot returned; supplier informed.")
        )
        self._med_demo_capa(nonconformance, admin)

        # catheters from the released silicone
        bom = ref("med_quality_release.demo_bom_foley_catheter")
        released_lot = ref("med_quality_release.demo_lot_catheter_released")
        rejected_lot = ref("med_quality_release.demo_lot_catheter_rejected")
        flows._med_demo_produce(bom, 100, released_lot, {silicone: good})
        seal = self._med_demo_checks(released_lot)
        seal.with_user(admin).write({"measure_value": 8.4, "equipment_ref": "PEEL-TESTER-02"})
        seal.with_user(admin).action_record_measure()
        self._med_demo_sign(
            released_lot,
            "release",
            self.env._("Device history reviewed: checks passed, components released."),
        )
        flows._med_demo_deliver(
            released_lot.product_id, released_lot, 40, ref("med_trace.demo_partner_st_mary")
        )
        flows._med_demo_produce(bom, 100, rejected_lot, {silicone: good})
        seal = self._med_demo_checks(rejected_lot)
        seal.with_user(admin).write({"measure_value": 4.1, "equipment_ref": "PEEL-TESTER-02"})
        seal.with_user(admin).action_record_measure()
        self._med_demo_sign(
            rejected_lot, "reject", self.env._("Seal strength below 6 N: lot to be scrapped.")
        )

        # the latest lot waits in quarantine for its seal test
        flows._med_demo_produce(
            bom, 100, ref("med_quality_release.demo_lot_catheter_quarantine"), {silicone: good}
        )

        # an order that would consume the silicone lot still waiting for its inspection
        blocked = flows._med_demo_production(
            bom,
            100,
            ref("med_quality_release.demo_lot_catheter_blocked"),
            {silicone: waiting},
            origin="DEMO-BLOCKED",
        )
        try:
            with self.env.cr.savepoint():
                blocked.button_mark_done()
        except UserError as error:
            blocked.message_post(
                body=self.env._("Production refused: %(reason)s", reason=str(error))
            )
        return blocked
