from odoo import api, fields, models
from odoo.exceptions import UserError

STATUSES = [
    ("approved", "Approved"),
    ("conditional", "Conditional"),
    ("disqualified", "Disqualified"),
]
ACCEPTED = ("approved", "conditional")


class MedSupplierApproval(models.Model):
    """The approved supplier list: one entry per component and supplier, with its status
    and the evidence it rests on (ISO 13485 7.4.1).

    A receipt of a controlled component from a supplier that is not approved or
    conditionally approved for it puts the received lots in quarantine with a
    nonconformance (``stock.picking._med_check_approved_suppliers``). Maintained by QA
    Managers; a change of supplier goes through an engineering change request.
    """

    _name = "med.supplier.approval"
    _description = "Approved Supplier"
    _inherit = ["mail.thread"]
    _order = "product_tmpl_id, status, partner_id, id"
    _check_company_auto = True

    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Component",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Supplier",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_company", "=", True)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    status = fields.Selection(STATUSES, required=True, default="approved", tracking=True)
    evidence = fields.Text(
        required=True,
        tracking=True,
        help="What the status rests on: audit, first article inspection, certificates, "
        "performance review. Attach the documents.",
    )
    condition = fields.Text(
        string="Conditions",
        tracking=True,
        help="For a conditional approval: what the receipts of this supplier need (e.g. "
        "tightened inspection, certificate of analysis per lot).",
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence Documents")
    review_date = fields.Date(
        string="Next Review", tracking=True, help="Date of the next supplier evaluation."
    )
    change_request_id = fields.Many2one(
        "med.change.request",
        string="Last Change Request",
        readonly=True,
        help="The change request that set the current status, if any.",
    )
    active = fields.Boolean(default=True)

    _component_supplier_unique = models.Constraint(
        "UNIQUE(product_tmpl_id, partner_id, company_id)",
        "A supplier is listed once per component and company.",
    )

    @api.depends("product_tmpl_id", "partner_id", "status")
    def _compute_display_name(self):
        labels = dict(self._fields["status"]._description_selection(self.env))
        for approval in self:
            approval.display_name = self.env._(
                "%(supplier)s for %(component)s (%(status)s)",
                supplier=approval.partner_id.display_name or "",
                component=approval.product_tmpl_id.display_name or "",
                status=labels.get(approval.status, ""),
            )

    @api.constrains("status", "condition")
    def _check_condition(self):
        for approval in self:
            if approval.status == "conditional" and not (approval.condition or "").strip():
                raise UserError(
                    self.env._(
                        "%(approval)s: a conditional approval states its conditions.",
                        approval=approval.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "change_request_id" in vals:
            raise UserError(
                self.env._(
                    "%(approvals)s: the change request is set by the change request only.",
                    approvals=", ".join(self.mapped("display_name")),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _med_is_controlled(self, product, company):
        """Whether receipts of ``product`` must come from an approved supplier."""
        if product.categ_id.med_require_approved_supplier:
            return True
        return bool(
            self.sudo().search_count(
                [
                    ("product_tmpl_id", "=", product.product_tmpl_id.id),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )

    @api.model
    def _med_status(self, product, partner, company):
        """Status of ``partner`` for ``product`` (False when it is not listed)."""
        if not partner:
            return False
        approval = self.sudo().search(
            [
                ("product_tmpl_id", "=", product.product_tmpl_id.id),
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
        return approval.status

    @api.model
    def _med_set_status(self, component, partner, company, status, evidence, request):
        """Set a supplier's status for a component from an effective change request."""
        partner = partner.commercial_partner_id
        approval = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("product_tmpl_id", "=", component.id),
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )
        vals = {
            "status": status,
            "evidence": evidence,
            "change_request_id": request.id,
            "active": True,
        }
        if status == "conditional":
            vals["condition"] = approval.condition or evidence
        if approval:
            approval.write(vals)
        else:
            approval = self.sudo().create(
                dict(
                    vals,
                    product_tmpl_id=component.id,
                    partner_id=partner.id,
                    company_id=company.id,
                )
            )
        approval.message_post(
            body=self.env._(
                "Status set by change request %(request)s.", request=request.display_name
            )
        )
        return approval
