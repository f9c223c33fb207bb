from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context, format_datetime

from .med_lot_release_log import RELEASE_STATES


class StockLot(models.Model):
    _inherit = "stock.lot"

    med_release_decision = fields.Selection(
        [("quarantine", "Quarantine"), ("released", "Released"), ("rejected", "Rejected")],
        string="Release Decision",
        readonly=True,
        copy=False,
        index=True,
        help="Empty when the lot is not under release control (see the product category).",
    )
    med_release_state = fields.Selection(
        RELEASE_STATES,
        string="Release Status",
        compute="_compute_med_release_state",
        store=True,
        index=True,
        help="Quarantine: waiting for checks and a signed release. Released: may be "
        "delivered and consumed. Rejected: must not be used. On hold: blocked by a hold.",
    )
    med_quarantine_date = fields.Datetime(string="Quarantined on", readonly=True, copy=False)
    med_release_date = fields.Datetime(string="Decision on", readonly=True, copy=False)
    med_release_signature_id = fields.Many2one(
        "med.signature", string="Release Signature", readonly=True, copy=False
    )
    med_check_ids = fields.One2many("med.quality.check", "lot_id", string="Quality Checks")
    med_nc_ids = fields.One2many("med.quality.nonconformance", "lot_id", string="Nonconformances")
    med_signature_ids = fields.One2many("med.signature", "lot_id", string="Signatures")
    med_release_log_ids = fields.One2many("med.lot.release.log", "lot_id", string="Release Trail")
    med_open_nc_count = fields.Integer(
        string="Open Nonconformances", compute="_compute_med_quality_counts"
    )
    med_check_todo_count = fields.Integer(
        string="Checks to Do", compute="_compute_med_quality_counts"
    )
    med_release_blockers = fields.Text(
        string="Waiting for", compute="_compute_med_release_blockers"
    )
    med_release_due_date = fields.Datetime(
        string="Release Due",
        compute="_compute_med_release_due_date",
        store=True,
        help="Quarantine date plus the release lead time of the product category: the time "
        "the plan gives the quality department to sign the release.",
    )
    med_release_overdue = fields.Boolean(
        string="Release Overdue", compute="_compute_med_release_overdue"
    )

    def init(self):
        res = super().init()
        # derived from the decision and the (re-derived) hold flag, see med_trace
        self.env.cr.execute(
            """
            UPDATE stock_lot
               SET med_release_state = CASE WHEN med_hold_active THEN 'on_hold'
                                            ELSE med_release_decision END
             WHERE med_release_state IS DISTINCT FROM
                   CASE WHEN med_hold_active THEN 'on_hold' ELSE med_release_decision END
            """
        )
        return res

    @api.model
    def _med_protected_fields(self):
        # The release decision and its signature change only through
        # ``_med_set_decision`` (signed release/reject, quarantine paths).
        return super()._med_protected_fields() | {
            "med_release_decision",
            "med_quarantine_date",
            "med_release_date",
            "med_release_signature_id",
        }

    @api.model
    def _med_derived_fields(self):
        return super()._med_derived_fields() | {"med_release_state"}

    @api.depends("med_release_decision", "med_hold_active")
    def _compute_med_release_state(self):
        for lot in self:
            lot.med_release_state = "on_hold" if lot.med_hold_active else lot.med_release_decision

    @api.depends("med_nc_ids.state", "med_check_ids.state")
    def _compute_med_quality_counts(self):
        for lot in self:
            lot.med_open_nc_count = len(lot.med_nc_ids.filtered(lambda nc: nc.state == "open"))
            lot.med_check_todo_count = len(lot.med_check_ids.filtered(lambda c: c.state == "todo"))

    @api.depends(
        "med_release_decision",
        "med_quarantine_date",
        "product_id.categ_id.med_release_lead_minutes",
    )
    def _compute_med_release_due_date(self):
        for lot in self:
            due = False
            if lot.med_release_decision == "quarantine" and lot.med_quarantine_date:
                due = lot.med_quarantine_date + timedelta(
                    minutes=lot.product_id.categ_id.med_release_lead_minutes
                )
            lot.med_release_due_date = due

    def _compute_med_release_overdue(self):
        now = fields.Datetime.now()
        for lot in self:
            lot.med_release_overdue = bool(
                lot.med_release_due_date and lot.med_release_due_date < now
            )

    def _compute_med_release_blockers(self):
        for lot in self:
            lot.med_release_blockers = (
                "\n".join(lot._med_release_waiting_for()) if lot.med_release_decision else False
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_med_quality_release(self):
        self.ensure_one()
        return self.env["med.signature.wizard"]._med_open(self, "release")

    def action_med_quality_reject(self):
        self.ensure_one()
        return self.env["med.signature.wizard"]._med_open(self, "reject")

    def action_med_quarantine(self):
        """Put lots under release control by hand (e.g. a returned lot)."""
        if not self.env.user.has_group("med_quality_release.group_qa_manager"):
            raise UserError(self.env._("Only a QA Manager can put a lot in quarantine."))
        rejected = self.filtered(lambda lot: lot.med_release_decision == "rejected")
        if rejected:
            raise UserError(
                self.env._(
                    "Lot %(lots)s is rejected: a rejected lot cannot go back to quarantine.",
                    lots=", ".join(rejected.mapped("display_name")),
                )
            )
        lots = self.filtered(lambda lot: lot.med_release_decision != "quarantine")
        if lots:
            lots._med_set_decision("quarantine", note=self.env._("Quarantined by hand"))
        return True

    def action_med_print_coc(self):
        self.ensure_one()
        if self.med_release_decision != "released":
            raise UserError(
                self.env._(
                    "Lot %(lot)s is not released: no Certificate of Conformance can be issued.",
                    lot=self.display_name,
                )
            )
        problem = self._med_release_signature_problem()
        if problem:
            raise UserError(
                self.env._(
                    "Lot %(lot)s: no Certificate of Conformance can be issued, %(problem)s.",
                    lot=self.display_name,
                    problem=problem,
                )
            )
        return self.env.ref("med_quality_release.action_report_coc").report_action(self)

    def _med_hold(self, reason, recall=False):
        before = {lot: lot.med_release_state for lot in self}
        res = super()._med_hold(reason, recall=recall)
        self._med_log_state_changes(before, reason)
        return res

    def _med_release_holds(self, reason):
        before = {lot: lot.med_release_state for lot in self}
        res = super()._med_release_holds(reason)
        self._med_log_state_changes(before, reason)
        return res

    # ------------------------------------------------------------------
    # Release logic
    # ------------------------------------------------------------------

    def _med_log_state_changes(self, before, note, signature=False):
        self.flush_recordset(["med_release_state"])
        logs = []
        for lot in self:
            if lot.med_release_state != before.get(lot) and lot.med_release_state:
                logs.append(
                    {
                        "lot_id": lot.id,
                        "product_id": lot.product_id.id,
                        "company_id": (lot.company_id or self.env.company).id,
                        "user_id": self.env.user.id,
                        "date": fields.Datetime.now(),
                        "old_state": before.get(lot) or False,
                        "new_state": lot.med_release_state,
                        "note": note or False,
                        "signature_id": signature.id if signature else False,
                    }
                )
        if logs:
            # every value is explicit: no ``default_*`` context key reaches the trail
            self.env["med.lot.release.log"].sudo().with_context(
                clean_context(self.env.context)
            ).create(logs)

    def _med_set_decision(self, decision, signature=False, note=False):
        before = {lot: lot.med_release_state for lot in self}
        vals = {"med_release_decision": decision}
        if decision == "quarantine":
            vals["med_quarantine_date"] = fields.Datetime.now()
        else:
            vals["med_release_date"] = signature.signed_at if signature else fields.Datetime.now()
        if decision == "released" and signature:
            vals["med_release_signature_id"] = signature.id
        self.sudo().write(vals)
        self._med_log_state_changes(before, note, signature)

    def _med_enter_quarantine(self, origin):
        """Quarantine lots that are not under release control yet (receipt/production)."""
        lots = self.filtered(lambda lot: not lot.med_release_decision)
        if lots:
            lots._med_set_decision(
                "quarantine", note=self.env._("Entered quarantine: %(origin)s", origin=origin)
            )

    def _med_release_waiting_for(self):
        """What the lot still waits for before it can be released (list of strings)."""
        self.ensure_one()
        labels = dict(
            self.env["med.quality.check"]._fields["state"]._description_selection(self.env)
        )
        waiting = []
        for check in self.sudo().med_check_ids.filtered(
            lambda c: not c.superseded_by_id and c.state != "pass"
        ):
            waiting.append(
                self.env._(
                    "check '%(check)s' (%(state)s)", check=check.title, state=labels[check.state]
                )
            )
        for nc in self.sudo().med_nc_ids.filtered(lambda nc: nc.state == "open"):
            waiting.append(self.env._("nonconformance %(nc)s open", nc=nc.name))
        components = (
            self.sudo()
            ._med_trace_lots("upstream")
            .filtered(
                lambda lot: (
                    lot.med_release_decision
                    and (
                        lot.med_release_decision != "released"
                        or lot._med_release_signature_problem()
                    )
                )
            )
        )
        for component in components:
            waiting.append(
                self.env._(
                    "component lot %(lot)s (%(product)s) not released",
                    lot=component.name,
                    product=component.product_id.display_name,
                )
            )
        return waiting

    def _med_release_reason(self):
        """Blocking reason of a lot that is not released, or False."""
        self.ensure_one()
        if self.med_release_decision == "quarantine":
            waiting = self._med_release_waiting_for() or [self.env._("a signed release")]
            return self.env._("in quarantine: waiting for %(what)s", what=", ".join(waiting))
        if self.med_release_decision == "rejected":
            return self.env._(
                "rejected on %(date)s", date=format_datetime(self.env, self.med_release_date)
            )
        if self.med_release_decision == "released":
            return self._med_release_signature_problem()
        if self.product_id.categ_id._med_is_release_controlled():
            # fail closed: it reached stock by a way that did not put it under control
            return self.env._(
                "never put under release control (its category requires a signed release): "
                "a QA Manager must quarantine and release it"
            )
        return False

    def _med_release_signature_problem(self):
        """Why the 'released' decision of the lot is not backed by its signature, or False.

        The decision field alone is not trusted (the database could be altered
        outside Odoo): a released lot needs its release signature, signed with
        the meaning 'released' for this very lot, whose content hash still
        verifies, and no later release or reject signature of the lot.
        """
        self.ensure_one()
        signature = self.sudo().med_release_signature_id
        if not signature or signature.lot_id != self or signature.meaning != "released":
            return self.env._("marked released without a signed release of this lot")
        if not signature.hash_valid:
            return self.env._(
                "its release signature (%(signature)s) fails the hash verification",
                signature=signature.display_name,
            )
        latest = (
            self.env["med.signature"]
            .sudo()
            .search(
                [("lot_id", "=", self.id), ("meaning", "in", ("released", "rejected"))],
                order="id desc",
                limit=1,
            )
        )
        if latest != signature:
            return self.env._(
                "a later signature (%(signature)s) supersedes its release",
                signature=latest.display_name,
            )
        return False

    def _med_blocking_reasons(self, usage):
        reasons = super()._med_blocking_reasons(usage)
        for lot in self:
            if not lot.med_release_decision and not (
                lot.product_id.categ_id._med_is_release_controlled()
            ):
                continue
            if usage == "deliver" or (
                usage == "consume" and lot.product_id.categ_id.med_block_consumption
            ):
                reason = lot._med_release_reason()
                if reason:
                    reasons.setdefault(lot, []).append(reason)
        return reasons

    # ------------------------------------------------------------------
    # Electronic signature protocol (see med.signature.wizard)
    # ------------------------------------------------------------------

    def _med_check_can_sign(self, action):
        self.ensure_one()
        if action == "release":
            problems = []
            if self.med_release_decision != "quarantine":
                problems.append(
                    self.env._("it is not in quarantine")
                    if self.med_release_decision != "released"
                    else self.env._("it is already released")
                )
            if self.med_hold_active:
                problems.append(self.env._("it is on hold"))
            problems += [
                self.env._("waiting for %(what)s", what=what)
                for what in self._med_release_waiting_for()
            ]
            if problems:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s cannot be released: %(problems)s.",
                        lot=self.display_name,
                        problems="; ".join(problems),
                    )
                )
        elif action == "reject":
            if self.med_release_decision == "rejected":
                raise UserError(
                    self.env._("Lot %(lot)s is already rejected.", lot=self.display_name)
                )
            if not self.med_release_decision:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s is not under release control: put it in quarantine first.",
                        lot=self.display_name,
                    )
                )

    def _med_signed_content(self):
        self.ensure_one()
        lot = self.sudo()
        return {
            "model": self._name,
            "id": lot.id,
            "lot": lot.name,
            "product": lot.product_id.display_name,
            "product_id": lot.product_id.id,
            "quantity": lot.product_qty,
            "uom": lot.product_uom_id.name,
            "company": (lot.company_id or self.env.company).name,
            "checks": [
                {
                    "check": check.name,
                    "point": check.title,
                    "state": check.state,
                    "sample_size": check.sample_size,
                    "defects": check.defect_count,
                    "value": check.measure_value if check.test_type == "measure" else None,
                    "inspector": check.inspector_id.name or None,
                }
                for check in lot.med_check_ids.sorted("id")
            ],
            "nonconformances": [
                {"nc": nc.name, "state": nc.state, "disposition": nc.disposition or None}
                for nc in lot.med_nc_ids.sorted("id")
            ],
            "components": [
                {
                    "lot": comp.name,
                    "product": comp.product_id.display_name,
                    "state": comp.med_release_state or None,
                }
                for comp in lot._med_trace_lots("upstream").sorted("id")
            ],
        }

    def _med_apply_signature(self, action, signature):
        self.ensure_one()
        expected = {"release": "released", "reject": "rejected"}.get(action)
        if not expected or signature.lot_id != self or signature.meaning != expected:
            raise UserError(
                self.env._(
                    "Lot %(lot)s: the signature %(signature)s does not sign this decision "
                    "of the lot.",
                    lot=self.display_name,
                    signature=signature.display_name,
                )
            )
        if action == "release":
            self._med_set_decision("released", signature, signature.comment)
            self._med_freeze_dhr()
        elif action == "reject":
            self._med_set_decision("rejected", signature, signature.comment)
        self.message_post(body=signature._med_summary())
