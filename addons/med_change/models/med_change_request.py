from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

CHANGE_TYPES = [
    ("bom", "Bill of Materials"),
    ("routing", "Routing"),
    ("supplier", "Supplier"),
]
STATES = [
    ("draft", "Draft"),
    ("submitted", "Waiting for Approval"),
    ("approved", "Approved"),
    ("effective", "In Effect"),
    ("cancelled", "Cancelled"),
]
# the two approvals: role -> (signature field, signature meaning, group of the signer)
APPROVALS = {
    "engineering": (
        "engineering_signature_id",
        "change_engineering",
        "med_change.group_change_engineer",
    ),
    "quality": ("qa_signature_id", "change_quality", "med_quality_release.group_qa_manager"),
}
SUPPLIER_STATUSES = [("approved", "Approved"), ("conditional", "Conditional")]


class MedChangeRequest(models.Model):
    """An engineering change: a new BoM or routing version, or a new supplier of a component.

    Drafted by engineering, submitted with its impact computed from the database,
    approved by an Engineering approver and a QA Manager with an electronic signature
    each (two different people), and put into effect at its effectivity date: the new BoM
    version becomes the active one, orders not started yet switch to it, started orders
    keep theirs. Nothing changes in production before both signatures.
    """

    _name = "med.change.request"
    _description = "Engineering Change Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    title = fields.Char(required=True, tracking=True)
    change_type = fields.Selection(
        CHANGE_TYPES, string="Type", required=True, default="bom", tracking=True
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, tracking=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    reason = fields.Text(required=True, help="Why the change is made (design input, CAPA, ...)")
    requested_by_id = fields.Many2one(
        "res.users", string="Requested by", default=lambda self: self.env.user, tracking=True
    )
    effective_date = fields.Datetime(
        string="Effective from",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="From this date the new version is used: orders not started yet switch to it. "
        "An approval signed after this date puts the change into effect at once.",
    )

    # bill of materials / routing changes
    old_bom_id = fields.Many2one(
        "mrp.bom",
        string="Current Version",
        check_company=True,
        context={"active_test": False},
        help="The bill of materials in use today.",
    )
    product_tmpl_id = fields.Many2one(
        related="old_bom_id.product_tmpl_id", string="Affected Product", store=True
    )
    new_bom_id = fields.Many2one(
        "mrp.bom",
        string="New Version",
        check_company=True,
        context={"active_test": False},
        help="Archived until the change takes effect; made with New Version from the current one.",
    )
    old_version_label = fields.Char(
        related="old_bom_id.med_version_label", string="Current Version Number"
    )
    new_version_label = fields.Char(
        related="new_bom_id.med_version_label", string="New Version Number"
    )

    # supplier changes
    component_tmpl_id = fields.Many2one("product.template", string="Component", check_company=True)
    old_partner_id = fields.Many2one("res.partner", string="Current Supplier")
    new_partner_id = fields.Many2one("res.partner", string="New Supplier")
    new_supplier_status = fields.Selection(
        SUPPLIER_STATUSES,
        default="approved",
        help="The status the new supplier gets on the approved supplier list when the "
        "change takes effect.",
    )
    disqualify_old_supplier = fields.Boolean(
        string="Disqualify Current Supplier",
        help="When the change takes effect, the current supplier is disqualified for the "
        "component: its later receipts go to quarantine.",
    )
    supplier_evidence = fields.Text(
        string="Qualification Evidence",
        help="Audit report, first article inspection, certificates: copied to the approved "
        "supplier list. Attach the documents to the request.",
    )

    # impact, approval, effect (set by the system only)
    impact_line_ids = fields.One2many(
        "med.change.impact.line", "change_id", string="Impact", readonly=True
    )
    impact_date = fields.Datetime(string="Impact Computed on", readonly=True, copy=False)
    impact_production_count = fields.Integer(string="Open Orders", compute="_compute_impact_counts")
    impact_wip_count = fields.Integer(string="WIP Lots", compute="_compute_impact_counts")
    engineering_signature_id = fields.Many2one(
        "med.signature", string="Engineering Approval", readonly=True, copy=False
    )
    qa_signature_id = fields.Many2one(
        "med.signature", string="QA Approval", readonly=True, copy=False
    )
    signature_ids = fields.One2many(
        "med.signature", compute="_compute_signature_ids", string="Signatures"
    )
    date_approved = fields.Datetime(string="Approved on", readonly=True, copy=False)
    date_applied = fields.Datetime(string="In Effect since", readonly=True, copy=False)
    switched_production_ids = fields.Many2many(
        "mrp.production",
        "med_change_request_switched_production_rel",
        string="Orders Switched",
        readonly=True,
        copy=False,
        help="Orders not started at the effectivity date: they use the new version.",
    )
    kept_production_ids = fields.Many2many(
        "mrp.production",
        "med_change_request_kept_production_rel",
        string="Orders Kept",
        readonly=True,
        copy=False,
        help="Orders already started at the effectivity date: they keep the version they "
        "were started with.",
    )

    _SYSTEM_FIELDS = frozenset(
        {
            "state",
            "impact_line_ids",
            "impact_date",
            "engineering_signature_id",
            "qa_signature_id",
            "date_approved",
            "date_applied",
            "switched_production_ids",
            "kept_production_ids",
        }
    )
    # what the signers approve: frozen once submitted, for everybody
    _CONTENT_FIELDS = frozenset(
        {
            "title",
            "change_type",
            "company_id",
            "reason",
            "requested_by_id",
            "effective_date",
            "old_bom_id",
            "new_bom_id",
            "component_tmpl_id",
            "old_partner_id",
            "new_partner_id",
            "new_supplier_status",
            "disqualify_old_supplier",
            "supplier_evidence",
        }
    )

    @api.depends("impact_line_ids.kind")
    def _compute_impact_counts(self):
        for request in self:
            kinds = request.impact_line_ids.mapped("kind")
            request.impact_production_count = kinds.count("production")
            request.impact_wip_count = kinds.count("wip_lot")

    def _compute_signature_ids(self):
        signatures = self.env["med.signature"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        )
        for request in self:
            request.signature_ids = signatures.filtered(lambda s, r=request: s.res_id == r.id)

    @api.constrains("old_bom_id", "new_bom_id", "change_type")
    def _check_versions(self):
        for request in self:
            if request.change_type == "supplier" or not request.new_bom_id:
                continue
            if request.new_bom_id == request.old_bom_id:
                raise UserError(
                    self.env._(
                        "Change request %(request)s: the new version must be another bill of "
                        "materials than the current one.",
                        request=request.display_name,
                    )
                )
            if request.new_bom_id.product_tmpl_id != request.old_bom_id.product_tmpl_id:
                raise UserError(
                    self.env._(
                        "Change request %(request)s: the new version %(new)s is not a bill "
                        "of materials of %(product)s.",
                        request=request.display_name,
                        new=request.new_bom_id.display_name,
                        product=request.old_bom_id.product_tmpl_id.display_name,
                    )
                )

    @api.depends("name", "title")
    def _compute_display_name(self):
        for request in self:
            request.display_name = (
                f"{request.name} {request.title}" if request.title else request.name
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                forged = sorted(name for name in self._SYSTEM_FIELDS if vals.get(name))
                if vals.get("state", "draft") != "draft":
                    forged.append("state")
                if forged:
                    raise UserError(
                        self.env._(
                            "A change request is created as a draft: %(fields)s cannot be "
                            "set by hand.",
                            fields=", ".join(
                                self._fields[name]._description_string(self.env)
                                for name in sorted(set(forged))
                            ),
                        )
                    )
                # explicit: no ``default_*`` context key sets them either
                vals.update(
                    state="draft",
                    engineering_signature_id=False,
                    qa_signature_id=False,
                    date_approved=False,
                    date_applied=False,
                )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.change.request") or "/"
        return super().create(vals_list)

    def write(self, vals):
        changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
        if not self.env.su:
            system = sorted(changed & self._SYSTEM_FIELDS)
            if system:
                raise UserError(
                    self.env._(
                        "Change request %(requests)s: %(fields)s cannot be written by hand; "
                        "they follow from the submission, the signatures and the effectivity.",
                        requests=", ".join(self.mapped("name")),
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in system
                        ),
                    )
                )
        frozen = self.filtered(lambda r: r.state != "draft")
        if frozen and changed & self._CONTENT_FIELDS:
            raise UserError(
                self.env._(
                    "Change request %(requests)s is %(state)s: what was submitted for approval "
                    "cannot be changed. Cancel it and make a new request.",
                    requests=", ".join(frozen.mapped("name")),
                    state=frozen[0]._med_state_label(),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        signed = self.filtered(lambda r: r.state != "draft" or r.signature_ids)
        if signed:
            raise UserError(
                self.env._(
                    "Change request %(requests)s was submitted: it is kept as a record "
                    "(cancel it instead).",
                    requests=", ".join(signed.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_create_new_version(self):
        """Copy the current BoM into an archived new version to edit."""
        self.ensure_one()
        self.check_access("write")
        self._med_check_state("draft")
        if self.change_type == "supplier":
            raise UserError(
                self.env._(
                    "Change request %(request)s changes a supplier: it has no bill of "
                    "materials version.",
                    request=self.display_name,
                )
            )
        if not self.old_bom_id:
            raise UserError(
                self.env._(
                    "Change request %(request)s: choose the current bill of materials first.",
                    request=self.display_name,
                )
            )
        if self.new_bom_id:
            raise UserError(
                self.env._(
                    "Change request %(request)s already has its new version %(bom)s.",
                    request=self.display_name,
                    bom=self.new_bom_id.display_name,
                )
            )
        # the user's own rights make the copy (BoMs: manufacturing administrators)
        new_bom = self.old_bom_id.with_context(active_test=False).copy(
            self._prepare_new_version_vals()
        )
        new_bom.sudo().write(
            {
                "med_version": self.old_bom_id.med_version + 1,
                "med_routing_version": self.old_bom_id.med_routing_version,
                "med_previous_bom_id": self.old_bom_id.id,
                "med_change_request_id": self.id,
            }
        )
        self.new_bom_id = new_bom
        return self.action_open_new_bom()

    def _prepare_new_version_vals(self):
        return {
            "active": False,
            "code": self.env._(
                "%(code)s (%(request)s)",
                code=self.old_bom_id.code or self.old_bom_id.product_tmpl_id.default_code or "",
                request=self.name,
            ).strip(),
        }

    def action_open_new_bom(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mrp.bom",
            "res_id": self.new_bom_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"active_test": False},
        }

    def action_compute_impact(self):
        self.check_access("write")
        for request in self:
            request._med_check_state("draft")
        self._med_compute_impact()
        return True

    def action_submit(self):
        self.check_access("write")
        for request in self:
            request._med_check_state("draft")
            request._med_check_complete()
        self._med_compute_impact()
        for request in self:
            if request.change_type != "supplier":
                old, new = request.old_bom_id, request.new_bom_id
                routing = old.med_routing_version + (
                    1 if old._med_operations_signature() != new._med_operations_signature() else 0
                )
                new.sudo().write({"med_routing_version": routing})
        self.sudo().write({"state": "submitted"})
        for request in self:
            request._med_post(
                body=self.env._(
                    "Submitted for approval by Engineering and QA. Impact: %(orders)s open "
                    "order(s), %(lots)s lot(s) in work in progress.",
                    orders=request.impact_production_count,
                    lots=request.impact_wip_count,
                )
            )
        return True

    def action_approve_engineering(self):
        self.ensure_one()
        return self.env["med.change.sign.wizard"]._med_open(self, "engineering")

    def action_approve_quality(self):
        self.ensure_one()
        return self.env["med.change.sign.wizard"]._med_open(self, "quality")

    def action_apply(self):
        """Put an approved change into effect now (its effectivity date has come)."""
        self._med_check_approver()
        now = fields.Datetime.now()
        for request in self:
            request._med_check_state("approved")
            if request.effective_date > now:
                raise UserError(
                    self.env._(
                        "Change request %(request)s takes effect on %(date)s, not before.",
                        request=request.display_name,
                        date=format_datetime(self.env, request.effective_date),
                    )
                )
        self.sudo()._med_apply()
        return True

    def action_cancel(self):
        for request in self:
            if request.state in ("effective", "cancelled"):
                raise UserError(
                    self.env._(
                        "Change request %(request)s is %(state)s: it cannot be cancelled.",
                        request=request.display_name,
                        state=request._med_state_label(),
                    )
                )
            if request.state == "approved":
                request._med_check_approver()
            else:
                request.check_access("write")
        self.sudo().write({"state": "cancelled"})
        for request in self:
            request._med_post(body=self.env._("Cancelled: nothing was changed."))
        return True

    def action_open_productions(self):
        self.ensure_one()
        productions = self.impact_line_ids.production_id | self.switched_production_ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Orders of %(request)s", request=self.name),
            "res_model": "mrp.production",
            "view_mode": "list,form",
            "domain": [("id", "in", productions.ids)],
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _med_post(self, body):
        """Chatter note by the current user, who may approve without write access."""
        self.ensure_one()
        return self.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)

    def _med_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _med_check_state(self, *states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Change request %(request)s is %(state)s; this needs it %(expected)s.",
                    request=self.display_name,
                    state=labels[self.state],
                    expected=self.env._(" or ").join(labels[s] for s in states),
                )
            )

    def _med_check_approver(self):
        user = self.env.user
        if not (
            user.has_group("med_change.group_change_engineer")
            or user.has_group("med_quality_release.group_qa_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only an Engineering approver or a QA Manager can put an approved change "
                    "into effect or cancel it."
                )
            )

    def _med_check_complete(self):
        """What a request needs before it can be submitted; one message naming all."""
        self.ensure_one()
        missing = []
        if self.change_type == "supplier":
            if not self.component_tmpl_id:
                missing.append(self.env._("the component"))
            if not self.new_partner_id:
                missing.append(self.env._("the new supplier"))
            if not (self.supplier_evidence or "").strip():
                missing.append(self.env._("the qualification evidence"))
            if self.new_partner_id and self.new_partner_id == self.old_partner_id:
                missing.append(self.env._("a new supplier other than the current one"))
        else:
            if not self.old_bom_id:
                missing.append(self.env._("the current bill of materials"))
            if not self.new_bom_id:
                missing.append(self.env._("the new version (button New Version)"))
            elif self.new_bom_id.active:
                missing.append(
                    self.env._("a new version that is archived until the change takes effect")
                )
            elif not self.new_bom_id.bom_line_ids:
                missing.append(self.env._("components in the new version"))
        if missing:
            raise UserError(
                self.env._(
                    "Change request %(request)s cannot be submitted without %(missing)s.",
                    request=self.display_name,
                    missing=", ".join(missing),
                )
            )

    def _med_compute_impact(self):
        """Replace the impact lines with what the database says now."""
        Line = self.env["med.change.impact.line"].sudo()
        for request in self:
            request.sudo().impact_line_ids.unlink()
            Line.create(request._med_impact_vals())
            request.sudo().write({"impact_date": fields.Datetime.now()})

    def _med_impact_vals(self):
        """Open orders and their planned dates, lots in work in progress, stock of the
        affected components (values of ``med.change.impact.line``)."""
        self.ensure_one()
        Production = self.env["mrp.production"].sudo()
        if self.change_type == "supplier":
            products = self.component_tmpl_id.product_variant_ids
            productions = (
                self.env["stock.move"]
                .sudo()
                .search(
                    [
                        ("product_id", "in", products.ids),
                        ("raw_material_production_id.state", "not in", ("done", "cancel")),
                        ("raw_material_production_id.company_id", "=", self.company_id.id),
                    ]
                )
                .raw_material_production_id
            )
            changes = dict.fromkeys(products, ("supplied", 0.0, 0.0))
        else:
            productions = Production.search(
                [("bom_id", "=", self.old_bom_id.id), ("state", "not in", ("done", "cancel"))]
            )
            changes = self._med_component_changes()
        vals_list = []
        for production in productions.sorted(lambda p: (p.date_start or p.create_date, p.id)):
            started = production._med_is_started()
            vals_list.append(
                {
                    "change_id": self.id,
                    "kind": "production",
                    "production_id": production.id,
                    "product_id": production.product_id.id,
                    "date": production.date_start,
                    "quantity": production.product_qty,
                    "uom_id": production.product_uom_id.id,
                    "effect": "keep"
                    if started
                    else "switch"
                    if self.change_type != "supplier"
                    else "consumes",
                }
            )
            if started:
                vals_list += [
                    {
                        "change_id": self.id,
                        "kind": "wip_lot",
                        "production_id": production.id,
                        "lot_id": lot.id,
                        "product_id": lot.product_id.id,
                        "effect": "in_production",
                    }
                    for lot in production.lot_producing_ids
                    | production.move_raw_ids.move_line_ids.lot_id
                ]
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", [p.id for p in changes]),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "=", self.company_id.id),
                ],
                ["product_id"],
                ["quantity:sum"],
            )
        )
        on_hand = dict(groups)
        for product, (effect, old_qty, new_qty) in changes.items():
            vals_list.append(
                {
                    "change_id": self.id,
                    "kind": "stock",
                    "product_id": product.id,
                    "quantity": on_hand.get(product, 0.0),
                    "uom_id": product.uom_id.id,
                    "effect": effect,
                    "old_bom_qty": old_qty,
                    "new_bom_qty": new_qty,
                }
            )
        return vals_list

    def _med_component_changes(self):
        """{component: (effect, quantity per current BoM, per new BoM)} for the components
        of both versions (quantities in the component's unit)."""
        self.ensure_one()
        old = self.old_bom_id._med_lines_summary()
        new = self.new_bom_id._med_lines_summary() if self.new_bom_id else old
        changes = {}
        for product in sorted(set(old) | set(new), key=lambda p: p.display_name):
            old_qty, new_qty = old.get(product, 0.0), new.get(product, 0.0)
            if product not in new:
                effect = "removed"
            elif product not in old:
                effect = "added"
            elif abs(old_qty - new_qty) > 1e-9:
                effect = "quantity"
            else:
                effect = "unchanged"
            changes[product] = (effect, old_qty, new_qty)
        return changes

    # electronic signature protocol (see med.change.sign.wizard)

    def _med_check_can_sign(self, role):
        self.ensure_one()
        if role not in APPROVALS:
            raise UserError(self.env._("Unknown approval %(role)s.", role=role))
        self._med_check_state("submitted")
        field, _meaning, _group = APPROVALS[role]
        if self[field]:
            raise UserError(
                self.env._(
                    "Change request %(request)s is already approved for this role: %(signature)s.",
                    request=self.display_name,
                    signature=self[field].display_name,
                )
            )
        other = self.qa_signature_id if role == "engineering" else self.engineering_signature_id
        if other and other.signer_id == self.env.user:
            raise UserError(
                self.env._(
                    "Change request %(request)s: %(user)s already signed the other approval; "
                    "Engineering and QA approve it as two different people.",
                    request=self.display_name,
                    user=self.env.user.name,
                )
            )

    def _med_signed_content(self):
        self.ensure_one()
        request = self.sudo()
        content = {
            "model": self._name,
            "id": request.id,
            "name": request.name,
            "title": request.title,
            "type": request.change_type,
            "reason": request.reason,
            "effective_date": fields.Datetime.to_string(request.effective_date),
            "company": request.company_id.name,
            "impact": [
                {
                    "kind": line.kind,
                    "order": line.production_id.name or None,
                    "lot": line.lot_id.name or None,
                    "product": line.product_id.display_name or None,
                    "date": fields.Datetime.to_string(line.date) if line.date else None,
                    "quantity": line.quantity,
                    "effect": line.effect or None,
                    "per_bom": [line.old_bom_qty, line.new_bom_qty],
                }
                for line in request.impact_line_ids.sorted("id")
            ],
        }
        if request.change_type == "supplier":
            content.update(
                component=request.component_tmpl_id.display_name,
                old_supplier=request.old_partner_id.display_name or None,
                new_supplier=request.new_partner_id.display_name,
                new_status=request.new_supplier_status,
                disqualify_old=request.disqualify_old_supplier,
                evidence=request.supplier_evidence,
            )
        else:
            new = request.new_bom_id
            content.update(
                old_bom={"id": request.old_bom_id.id, "version": request.old_bom_id.med_version},
                new_bom={
                    "id": new.id,
                    "version": new.med_version,
                    "routing_version": new.med_routing_version,
                    "quantity": new.product_qty,
                    "lines": [
                        {
                            "product": line.product_id.display_name,
                            "quantity": line.product_qty,
                            "uom": line.product_uom_id.name,
                            "operation": line.operation_id.name or None,
                        }
                        for line in new.bom_line_ids.sorted(lambda x: (x.sequence, x.id))
                    ],
                    "operations": [
                        {
                            "operation": op.name,
                            "workcenter": op.workcenter_id.name,
                            "minutes": op.time_cycle_manual,
                        }
                        for op in new.operation_ids.sorted(lambda x: (x.sequence, x.id))
                    ],
                },
            )
        return content

    def _med_apply_signature(self, role, signature):
        """Record an approval signed by ``med.change.sign.wizard`` (the only way)."""
        self.ensure_one()
        field, meaning, _group = APPROVALS[role]
        if (
            signature.res_model != self._name
            or signature.res_id != self.id
            or signature.meaning != meaning
        ):
            raise UserError(
                self.env._(
                    "Change request %(request)s: the signature %(signature)s does not sign "
                    "this approval.",
                    request=self.display_name,
                    signature=signature.display_name,
                )
            )
        self.sudo().write({field: signature.id})
        self._med_post(body=signature._med_summary())
        if self.engineering_signature_id and self.qa_signature_id:
            self.sudo()._med_approve()

    def _med_approve(self):
        self.write({"state": "approved", "date_approved": fields.Datetime.now()})
        for request in self:
            request._med_post(
                body=self.env._(
                    "Approved by Engineering and QA; in effect from %(date)s.",
                    date=format_datetime(self.env, request.effective_date),
                )
            )
        self.filtered(lambda r: r.effective_date <= fields.Datetime.now())._med_apply()

    @api.model
    def _cron_apply_due(self):
        due = self.sudo().search(
            [("state", "=", "approved"), ("effective_date", "<=", fields.Datetime.now())]
        )
        for request in due:
            try:
                with self.env.cr.savepoint():
                    request._med_apply()
            except UserError as error:
                # the others still take effect; this one says why it did not
                request._med_post(
                    body=self.env._("Could not be put into effect: %(error)s", error=error.args[0])
                )

    def _med_apply(self):
        """Put approved changes into effect (called as superuser by the system paths)."""
        for request in self:
            request._med_check_state("approved")
            if request.change_type == "supplier":
                request._med_apply_supplier()
            else:
                request._med_apply_bom()
            request.write({"state": "effective", "date_applied": fields.Datetime.now()})

    def _med_apply_bom(self):
        self.ensure_one()
        old, new = self.old_bom_id, self.new_bom_id
        if not new.exists() or new.product_tmpl_id != old.product_tmpl_id:
            raise UserError(
                self.env._(
                    "Change request %(request)s: its new version no longer exists or is not "
                    "a bill of materials of %(product)s.",
                    request=self.display_name,
                    product=old.product_tmpl_id.display_name,
                )
            )
        new.write({"active": True, "sequence": old.sequence})
        old.write({"active": False})
        productions = self.env["mrp.production"].search(
            [("bom_id", "=", old.id), ("state", "in", ("draft", "confirmed"))]
        )
        started = productions.filtered(lambda p: p._med_is_started())
        in_progress = self.env["mrp.production"].search(
            [("bom_id", "=", old.id), ("state", "in", ("progress", "to_close"))]
        )
        switched = productions - started
        switched._med_switch_bom(new, self)
        self.write(
            {
                "switched_production_ids": [(6, 0, switched.ids)],
                "kept_production_ids": [(6, 0, (started | in_progress).ids)],
            }
        )
        self._med_post(
            body=self.env._(
                "In effect: %(new)s replaces %(old)s. %(switched)s order(s) not started use "
                "the new version; %(kept)s started order(s) keep theirs.",
                new=new.display_name,
                old=old.display_name,
                switched=len(switched),
                kept=len(started | in_progress),
            )
        )

    def _med_apply_supplier(self):
        self.ensure_one()
        Approval = self.env["med.supplier.approval"]
        Approval._med_set_status(
            self.component_tmpl_id,
            self.new_partner_id,
            self.company_id,
            self.new_supplier_status,
            self.supplier_evidence,
            self,
        )
        if self.disqualify_old_supplier and self.old_partner_id:
            Approval._med_set_status(
                self.component_tmpl_id,
                self.old_partner_id,
                self.company_id,
                "disqualified",
                self.env._("Replaced by %(supplier)s", supplier=self.new_partner_id.name),
                self,
            )
        self._med_update_vendor_list()
        self._med_post(
            body=self.env._(
                "In effect: %(supplier)s is %(status)s for %(component)s.",
                supplier=self.new_partner_id.display_name,
                status=dict(self._fields["new_supplier_status"]._description_selection(self.env))[
                    self.new_supplier_status
                ],
                component=self.component_tmpl_id.display_name,
            )
        )

    def _med_update_vendor_list(self):
        """The new supplier first in the component's vendor list (purchase proposals)."""
        self.ensure_one()
        sellers = self.component_tmpl_id.seller_ids
        mine = sellers.filtered(
            lambda s: (
                s.partner_id.commercial_partner_id == self.new_partner_id.commercial_partner_id
            )
        )
        first = min(sellers.mapped("sequence") or [1])
        if mine:
            mine.write({"sequence": first - 1})
        else:
            self.env["product.supplierinfo"].create(
                {
                    "partner_id": self.new_partner_id.id,
                    "product_tmpl_id": self.component_tmpl_id.id,
                    "sequence": first - 1,
                    "company_id": self.company_id.id,
                }
            )
        if self.disqualify_old_supplier and self.old_partner_id:
            sellers.filtered(
                lambda s: (
                    s.partner_id.commercial_partner_id == self.old_partner_id.commercial_partner_id
                )
            ).unlink()
