from odoo import api, fields, models
from odoo.exceptions import UserError

# what a BoM version is made of: frozen once its change request is submitted
BOM_CONTENT_FIELDS = frozenset(
    {
        "product_tmpl_id",
        "product_id",
        "product_qty",
        "product_uom_id",
        "type",
        "bom_line_ids",
        "byproduct_ids",
        "operation_ids",
        "company_id",
        "consumption",
    }
)
# written only by the change request
BOM_VERSION_FIELDS = frozenset(
    {"med_version", "med_routing_version", "med_previous_bom_id", "med_change_request_id"}
)


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    med_version = fields.Integer(
        string="BoM Version",
        default=1,
        readonly=True,
        copy=False,
        help="Version of the bill of materials: a new version is made by an engineering "
        "change request and takes effect at its effectivity date.",
    )
    med_routing_version = fields.Integer(
        string="Routing Version",
        default=1,
        readonly=True,
        copy=False,
        help="Version of the operations of this bill of materials: it goes up when a "
        "change request changes the operations (work centers, names, times, order).",
    )
    med_previous_bom_id = fields.Many2one(
        "mrp.bom", string="Previous Version", readonly=True, copy=False, index="btree_not_null"
    )
    med_change_request_id = fields.Many2one(
        "med.change.request",
        string="Change Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The change request that made this version.",
    )
    med_version_label = fields.Char(string="Version", compute="_compute_med_version_label")

    @api.depends("med_version", "med_routing_version")
    def _compute_med_version_label(self):
        for bom in self:
            bom.med_version_label = self.env._(
                "BoM v%(bom)s / routing v%(routing)s",
                bom=bom.med_version,
                routing=bom.med_routing_version,
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                forged = sorted(name for name in BOM_VERSION_FIELDS if vals.get(name))
                if forged:
                    raise UserError(
                        self.env._(
                            "A bill of materials version is made by an engineering change "
                            "request: %(fields)s cannot be set by hand.",
                            fields=", ".join(
                                self._fields[name]._description_string(self.env) for name in forged
                            ),
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            forged = sorted(set(vals) & BOM_VERSION_FIELDS)
            if forged:
                raise UserError(
                    self.env._(
                        "Bill of materials %(boms)s: %(fields)s are written only by its "
                        "engineering change request.",
                        boms=", ".join(self.mapped("display_name")),
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in forged
                        ),
                    )
                )
            if vals.get("active"):
                self._med_check_not_pending()
        if set(vals) & BOM_CONTENT_FIELDS:
            self._med_check_not_frozen()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_under_change(self):
        self._med_check_not_frozen()
        requests = (
            self.env["med.change.request"]
            .sudo()
            .search([("new_bom_id", "in", self.ids), ("state", "=", "effective")], limit=1)
        )
        if requests:
            raise UserError(
                self.env._(
                    "Bill of materials %(bom)s was put into effect by change request "
                    "%(request)s: it is kept as a record of the change.",
                    bom=requests.new_bom_id.display_name,
                    request=requests.name,
                )
            )

    def _med_pending_requests(self, states=("submitted", "approved")):
        """Change requests, not in effect yet, whose new version is one of these BoMs."""
        return (
            self.env["med.change.request"]
            .sudo()
            .search([("new_bom_id", "in", self.ids), ("state", "in", list(states))])
        )

    def _med_check_not_frozen(self):
        """The version a change request submitted for approval is what its signers approve."""
        requests = self._med_pending_requests()
        if requests:
            raise UserError(
                self.env._(
                    "Bill of materials %(bom)s is the new version of change request "
                    "%(request)s (%(state)s): it cannot be changed any more. Cancel the "
                    "request and submit a new one to change it.",
                    bom=requests[0].new_bom_id.display_name,
                    request=requests[0].name,
                    state=requests[0]._med_state_label(),
                )
            )

    def _med_check_not_pending(self):
        """A version takes effect, and is replaced, only through its change request."""
        replaced = (
            self.env["med.change.request"]
            .sudo()
            .search([("old_bom_id", "in", self.ids), ("state", "=", "effective")], limit=1)
        )
        if replaced:
            raise UserError(
                self.env._(
                    "Bill of materials %(bom)s was replaced by %(new)s through change request "
                    "%(request)s: bringing it back is a new change request.",
                    bom=replaced.old_bom_id.display_name,
                    new=replaced.new_bom_id.display_name,
                    request=replaced.name,
                )
            )
        requests = self._med_pending_requests(("draft", "submitted", "approved"))
        if requests:
            raise UserError(
                self.env._(
                    "Bill of materials %(bom)s is the new version of change request "
                    "%(request)s (%(state)s): it takes effect through that request at its "
                    "effectivity date, not by hand.",
                    bom=requests[0].new_bom_id.display_name,
                    request=requests[0].name,
                    state=requests[0]._med_state_label(),
                )
            )

    def _med_operations_signature(self):
        """What the routing of this BoM is, to tell whether a new version changes it."""
        self.ensure_one()
        return sorted(
            (
                operation.sequence,
                operation.name,
                operation.workcenter_id.id,
                operation.time_mode,
                operation.time_cycle_manual,
                tuple(operation.blocked_by_operation_ids.mapped("name")),
            )
            for operation in self.operation_ids
        )

    def _med_lines_summary(self):
        """The components of this BoM per product (quantity in the product's unit)."""
        self.ensure_one()
        quantities = {}
        for line in self.bom_line_ids:
            qty = line.product_uom_id._compute_quantity(line.product_qty, line.product_id.uom_id)
            quantities[line.product_id] = quantities.get(line.product_id, 0.0) + qty
        return quantities
