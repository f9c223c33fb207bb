from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import clean_context

from .med_quality_point import TEST_TYPES, TRIGGERS
from .med_quality_switching import SEVERITIES


class MedQualityCheck(models.Model):
    _name = "med.quality.check"
    _description = "Quality Check"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    point_id = fields.Many2one(
        "med.quality.point",
        string="Control Point",
        required=True,
        ondelete="restrict",
        check_company=True,
        index=True,
    )
    title = fields.Char(string="Title", related="point_id.name")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    trigger = fields.Selection(TRIGGERS, required=True, readonly=True)
    test_type = fields.Selection(TEST_TYPES, required=True, readonly=True)
    instructions = fields.Html(related="point_id.instructions")
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True)
    lot_id = fields.Many2one("stock.lot", index=True, check_company=True, readonly=True)
    picking_id = fields.Many2one("stock.picking", string="Receipt", readonly=True, index=True)
    production_id = fields.Many2one(
        "mrp.production", string="Manufacturing Order", readonly=True, index=True
    )
    workorder_id = fields.Many2one("mrp.workorder", string="Work Order", readonly=True)
    state = fields.Selection(
        [("todo", "To Do"), ("pass", "Passed"), ("fail", "Failed")],
        default="todo",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    superseded_by_id = fields.Many2one(
        "med.quality.check",
        string="Re-inspected by",
        readonly=True,
        copy=False,
        help="Re-inspection check that replaces this failed check for the release decision.",
    )
    lot_qty = fields.Float(string="Lot Quantity", readonly=True, digits="Product Unit")
    sample_size = fields.Integer(readonly=True)
    code_letter = fields.Char(string="ISO 2859-1 Code Letter", readonly=True)
    accept_number = fields.Integer(string="Accept (Ac)", readonly=True)
    reject_number = fields.Integer(string="Reject (Re)", readonly=True)
    inspection_severity = fields.Selection(
        SEVERITIES,
        string="ISO 2859-1 Inspection",
        readonly=True,
        help="Severity of the ISO 2859-1 plan of this check when it was created.",
    )
    switching_id = fields.Many2one(
        "med.quality.switching",
        string="Inspection Severity",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Set on the original inspection of a lot under the switching rules; its result "
        "moves the severity (a re-inspection does not).",
    )
    defect_count = fields.Integer(
        string="Nonconforming Units", help="Nonconforming units found in the sample."
    )
    measure_value = fields.Float(string="Measured Value", digits=(16, 4))
    measure_unit = fields.Char(string="Unit", readonly=True)
    norm_min = fields.Float(string="Minimum", readonly=True, digits=(16, 4))
    norm_max = fields.Float(string="Maximum", readonly=True, digits=(16, 4))
    equipment_ref = fields.Char(
        string="Equipment", help="Identifier of the gauge or instrument used (calibrated)."
    )
    note = fields.Text()
    inspector_id = fields.Many2one("res.users", readonly=True)
    date_done = fields.Datetime(string="Recorded on", readonly=True)
    nonconformance_ids = fields.One2many("med.quality.nonconformance", "check_id")

    # What an inspector enters on a check that is still to do
    _ENTRY_FIELDS = frozenset({"defect_count", "measure_value", "equipment_ref", "note"})
    # Set by the control point and by the recording, never by hand
    _SYSTEM_FIELDS = frozenset(
        {
            "name",
            "point_id",
            "company_id",
            "trigger",
            "test_type",
            "product_id",
            "lot_id",
            "picking_id",
            "production_id",
            "workorder_id",
            "state",
            "superseded_by_id",
            "lot_qty",
            "sample_size",
            "code_letter",
            "accept_number",
            "reject_number",
            "inspection_severity",
            "switching_id",
            "measure_unit",
            "norm_min",
            "norm_max",
            "inspector_id",
            "date_done",
        }
    )
    # Assigned once by the internal paths on a recorded check, when still empty:
    # the lot of a work order check recorded before the lot existed, the re-inspection.
    _SET_ONCE_FIELDS = frozenset({"lot_id", "superseded_by_id"})

    @api.model_create_multi
    def create(self, vals_list):
        # Checks come from the control points (``_med_create_checks``, superuser)
        # and from re-inspection; a user's create could forge a passed check.
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Quality checks are created by the control points (receipt, work order, "
                    "manufacturing order) and by re-inspection, not by hand."
                )
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.quality.check") or "/"
        return super().create(vals_list)

    def write(self, vals):
        mail_fields = {name for name in vals if name.startswith(("message_", "activity_"))}
        changed = set(vals) - mail_fields
        if not self.env.su:
            forbidden = sorted(changed - self._ENTRY_FIELDS)
            if forbidden:
                raise UserError(
                    self.env._(
                        "Check %(checks)s: %(fields)s cannot be written by hand, only by the "
                        "control point, the recording (Pass, Fail, Record Measure) and "
                        "re-inspection.",
                        checks=", ".join(self.mapped("name")),
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in forbidden
                        ),
                    )
                )
        recorded = self.filtered(lambda c: c.state != "todo")
        frozen = changed & (self._ENTRY_FIELDS | self._SYSTEM_FIELDS)
        if recorded and frozen:
            # frozen for everyone, superuser included, except the set-once links
            refused = any(
                name not in self._SET_ONCE_FIELDS or check[name]
                for check in recorded
                for name in frozen
            )
            if refused:
                raise UserError(
                    self.env._(
                        "Check %(checks)s is already recorded: its result, values, inspector, "
                        "date and lot can no longer be changed. Re-inspect it to record a new "
                        "check.",
                        checks=", ".join(recorded.mapped("name")),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_pass(self):
        self._med_record("pass")
        return True

    def action_fail(self):
        self._med_record("fail")
        return True

    def action_record_measure(self):
        for check in self:
            if check.test_type != "measure":
                raise UserError(
                    self.env._("Check %(check)s is not a measurement.", check=check.name)
                )
            ok = check.norm_min <= check.measure_value <= check.norm_max
            check._med_record("pass" if ok else "fail")
        return True

    def action_retest(self):
        """Create a re-inspection for a failed check once its nonconformances allow it."""
        self._med_check_inspector()
        checks = self.env["med.quality.check"]
        for check in self:
            if check.state != "fail" or check.superseded_by_id:
                raise UserError(
                    self.env._(
                        "Only a failed check that was not re-inspected yet can be re-inspected "
                        "(%(check)s).",
                        check=check.name,
                    )
                )
            blocking = check.nonconformance_ids.filtered(
                lambda nc: nc.state != "closed" or nc.disposition not in ("rework", "use_as_is")
            )
            if blocking:
                raise UserError(
                    self.env._(
                        "Check %(check)s can be re-inspected only after its nonconformances "
                        "are closed with disposition 'Rework' or 'Use As Is': %(ncs)s.",
                        check=check.name,
                        ncs=", ".join(blocking.mapped("name")),
                    )
                )
            new = (
                check.sudo()
                .with_context(clean_context(self.env.context))
                .copy(
                    {
                        "state": "todo",
                        "inspector_id": False,
                        "date_done": False,
                        "superseded_by_id": False,
                        "company_id": check.company_id.id,
                        "point_id": check.point_id.id,
                        "lot_id": check.lot_id.id,
                        "trigger": check.trigger,
                        "test_type": check.test_type,
                        "product_id": check.product_id.id,
                        "picking_id": check.picking_id.id,
                        "production_id": check.production_id.id,
                        "workorder_id": check.workorder_id.id,
                        "lot_qty": check.lot_qty,
                        "sample_size": check.sample_size,
                        "code_letter": check.code_letter,
                        "accept_number": check.accept_number,
                        "reject_number": check.reject_number,
                        "measure_unit": check.measure_unit,
                        "norm_min": check.norm_min,
                        "norm_max": check.norm_max,
                        "defect_count": 0,
                        "measure_value": 0.0,
                        "equipment_ref": False,
                        "note": False,
                    }
                )
            )
            check.sudo().superseded_by_id = new
            check.message_post(
                body=self.env._("Re-inspected by check %(check)s.", check=new.name),
                subtype_xmlid="mail.mt_note",
            )
            checks |= new.with_env(self.env)
        return {
            "type": "ir.actions.act_window",
            "res_model": "med.quality.check",
            "res_id": checks[:1].id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _med_check_inspector(self):
        if not self.env.user.has_group("med_quality_release.group_qa_inspector"):
            raise AccessError(
                self.env._("Only a QA Inspector can record or re-inspect quality checks.")
            )

    def _med_record(self, verdict):
        self._med_check_inspector()
        for check in self:
            if check.state != "todo":
                raise UserError(
                    self.env._(
                        "Check %(check)s is already recorded as %(state)s.",
                        check=check.name,
                        state=dict(check._fields["state"]._description_selection(self.env))[
                            check.state
                        ],
                    )
                )
            if check.test_type == "measure" and not check.equipment_ref:
                raise UserError(
                    self.env._(
                        "Check %(check)s: enter the equipment used for the measurement.",
                        check=check.name,
                    )
                )
            if check.defect_count < 0 or check.defect_count > check.sample_size:
                raise UserError(
                    self.env._(
                        "Check %(check)s: %(defects)s nonconforming units cannot be found in "
                        "a sample of %(size)s.",
                        check=check.name,
                        defects=check.defect_count,
                        size=check.sample_size,
                    )
                )
            if verdict == "pass" and check.switching_id.severity == "discontinued":
                raise UserError(
                    self.env._(
                        "Check %(check)s cannot pass: inspection %(scope)s is discontinued "
                        "(ISO 2859-1 9.4) until a QA Manager resumes it after the supplier's "
                        "corrective action.",
                        check=check.name,
                        scope=check.switching_id.display_name,
                    )
                )
            if verdict == "pass" and check.defect_count > check.accept_number:
                raise UserError(
                    self.env._(
                        "Check %(check)s cannot pass: %(defects)s nonconforming units in the "
                        "sample exceed the acceptance number %(ac)s (reject at %(re)s).",
                        check=check.name,
                        defects=check.defect_count,
                        ac=check.accept_number,
                        re=check.reject_number,
                    )
                )
            check.sudo().write(
                {
                    "state": verdict,
                    "inspector_id": self.env.user.id,
                    "date_done": fields.Datetime.now(),
                }
            )
            if verdict == "fail":
                check._med_open_nonconformance()
            if check.switching_id:
                check.switching_id._med_record_check(check)

    def _med_failure_description(self):
        self.ensure_one()
        if self.test_type == "measure":
            return self.env._(
                "Check '%(title)s' failed: measured %(value)s %(unit)s, outside "
                "[%(min)s, %(max)s] (equipment %(equipment)s).",
                title=self.title,
                value=self.measure_value,
                unit=self.measure_unit or "",
                min=self.norm_min,
                max=self.norm_max,
                equipment=self.equipment_ref,
            )
        return self.env._(
            "Check '%(title)s' failed: %(defects)s nonconforming units in a sample of %(size)s.",
            title=self.title,
            defects=self.defect_count,
            size=self.sample_size,
        )

    def _med_open_nonconformance(self):
        self.ensure_one()
        return (
            self.env["med.quality.nonconformance"]
            .sudo()
            .with_context(clean_context(self.env.context))
            .create(
                {
                    "state": "open",
                    "date_open": fields.Datetime.now(),
                    "check_id": self.id,
                    "lot_id": self.lot_id.id,
                    "product_id": self.product_id.id,
                    "production_id": self.production_id.id,
                    "picking_id": self.picking_id.id,
                    "company_id": self.company_id.id,
                    "owner_id": (self.point_id.nc_owner_id or self.env.user).id,
                    "description": self._med_failure_description(),
                }
            )
        )

    @api.model
    def _med_create_checks(self, points, lot_qty, values):
        """Create one check per point for a lot of ``lot_qty`` units.

        ``values`` carries the document links (lot, product, picking, production,
        work order). Points already checked for the same document are skipped.
        """
        vals_list = []
        for point in points:
            domain = [("point_id", "=", point.id), ("superseded_by_id", "=", False)]
            for key in ("lot_id", "picking_id", "production_id", "workorder_id"):
                domain.append((key, "=", values.get(key) or False))
            if self.search_count(domain, limit=1):
                continue
            vals = dict(values)
            vals.update(point._med_sampling_values(lot_qty))
            vals.update(point._med_switching_values(lot_qty, values))
            vals.update(
                state="todo",
                inspector_id=False,
                date_done=False,
                superseded_by_id=False,
                point_id=point.id,
                company_id=point.company_id.id,
                trigger=point.trigger,
                test_type=point.test_type,
                measure_unit=point.measure_unit,
                norm_min=point.norm_min,
                norm_max=point.norm_max,
            )
            vals_list.append(vals)
        # every value is explicit: no ``default_*`` context key of the caller applies
        return self.sudo().with_context(clean_context(self.env.context)).create(vals_list)
