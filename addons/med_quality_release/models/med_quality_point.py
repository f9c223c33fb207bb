from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import iso2859

TRIGGERS = [
    ("receipt", "Receipt of a Tracked Component"),
    ("operation", "Work Order Operation"),
    ("production", "MO Completion (Final Inspection)"),
]
TEST_TYPES = [
    ("passfail", "Pass - Fail"),
    ("measure", "Measurement"),
    ("instructions", "Instructions"),
]
SAMPLING = [
    ("all", "Whole Lot"),
    ("fixed", "Fixed Quantity"),
    ("percent", "Percentage of the Lot"),
    ("iso2859", "ISO 2859-1 (AQL)"),
]


class MedQualityPoint(models.Model):
    _name = "med.quality.point"
    _description = "Quality Control Point"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    trigger = fields.Selection(TRIGGERS, required=True, default="receipt")
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        check_company=True,
        help="Leave empty (together with the categories) to apply the point to every "
        "lot-tracked product.",
    )
    product_category_ids = fields.Many2many("product.category", string="Product Categories")
    operation_id = fields.Many2one(
        "mrp.routing.workcenter",
        check_company=True,
        help="Operation whose work orders create this check (trigger 'Work Order Operation').",
    )
    operation_timing = fields.Selection(
        [("start", "When the Work Order Starts"), ("finish", "When the Work Order Finishes")],
        default="finish",
    )
    test_type = fields.Selection(TEST_TYPES, required=True, default="passfail")
    instructions = fields.Html(translate=True)
    measure_unit = fields.Char(string="Unit", help="Unit of the measured value, e.g. N or mm.")
    norm_min = fields.Float(string="Minimum", digits=(16, 4))
    norm_max = fields.Float(string="Maximum", digits=(16, 4))
    sampling = fields.Selection(SAMPLING, required=True, default="all")
    sample_qty = fields.Integer(string="Sample Quantity", default=1)
    sample_percent = fields.Float(string="Sample Percentage", default=10.0)
    inspection_level = fields.Selection([(level, level) for level in iso2859.LEVELS], default="II")
    aql = fields.Selection([(aql, aql) for aql in iso2859.AQLS], string="AQL", default="1.0")
    nc_owner_id = fields.Many2one(
        "res.users",
        string="Nonconformance Owner",
        help="Owner of the nonconformances opened when a check of this point fails.",
    )
    check_count = fields.Integer(compute="_compute_check_count")
    sampling_switching = fields.Boolean(
        string="ISO 2859-1 Switching Rules",
        help="Switch between normal, tightened and reduced inspection per supplier by the "
        "rules of ISO 2859-1 clause 9, from the results of the lots checked by this point.",
    )
    switching_per_product = fields.Boolean(
        string="Switch per Product",
        help="Keep one inspection severity per supplier and product instead of one per supplier.",
    )
    switching_ids = fields.One2many(
        "med.quality.switching", "point_id", string="Inspection Severities"
    )

    @api.depends()
    def _compute_check_count(self):
        counts = dict(
            self.env["med.quality.check"]._read_group(
                [("point_id", "in", self.ids)], ["point_id"], ["__count"]
            )
        )
        for point in self:
            point.check_count = counts.get(point, 0)

    @api.constrains("test_type", "norm_min", "norm_max")
    def _check_norm(self):
        for point in self:
            if point.test_type == "measure" and point.norm_min > point.norm_max:
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': the minimum %(min)s is above the "
                        "maximum %(max)s.",
                        point=point.name,
                        min=point.norm_min,
                        max=point.norm_max,
                    )
                )

    @api.constrains("sampling", "sample_qty", "sample_percent")
    def _check_sampling(self):
        for point in self:
            if point.sampling == "fixed" and point.sample_qty < 1:
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': the sample quantity must be at least 1.",
                        point=point.name,
                    )
                )
            if point.sampling == "percent" and not 0 < point.sample_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': the sample percentage must be above 0 "
                        "and at most 100.",
                        point=point.name,
                    )
                )
            if point.sampling == "iso2859" and not (point.aql and point.inspection_level):
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': ISO 2859-1 sampling needs an AQL and "
                        "an inspection level.",
                        point=point.name,
                    )
                )

    @api.constrains("trigger", "operation_id")
    def _check_operation(self):
        for point in self:
            if point.trigger == "operation" and not point.operation_id:
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s' is triggered by a work order operation: "
                        "choose the operation.",
                        point=point.name,
                    )
                )

    def action_open_checks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "med_quality_release.action_med_quality_check"
        )
        action["domain"] = [("point_id", "=", self.id)]
        return action

    def _med_applies_to(self, product):
        """True when this point covers ``product`` (by product or category)."""
        self.ensure_one()
        if not self.product_ids and not self.product_category_ids:
            return product.tracking != "none"
        if product in self.product_ids:
            return True
        categories = self.product_category_ids
        return bool(categories) and bool(
            product.categ_id.parent_path
            and any(
                product.categ_id.parent_path.startswith(categ.parent_path) for categ in categories
            )
        )

    @api.model
    def _med_points_for(self, product, trigger, company, operation=None, timing=None):
        domain = [("trigger", "=", trigger), ("company_id", "=", company.id)]
        if trigger == "operation":
            domain += [("operation_id", "=", operation.id), ("operation_timing", "=", timing)]
        points = self.search(domain)
        return points.filtered(lambda p: p._med_applies_to(product))

    def _med_sampling_values(self, lot_qty):
        """Sample size (and ISO 2859-1 plan) for a lot of ``lot_qty`` units."""
        self.ensure_one()
        lot_size = max(int(round(lot_qty)), 1)
        values = {"lot_qty": lot_qty, "accept_number": 0, "reject_number": 1}
        if self.sampling == "all":
            values["sample_size"] = lot_size
        elif self.sampling == "fixed":
            values["sample_size"] = min(self.sample_qty, lot_size)
        elif self.sampling == "percent":
            size = -(-lot_size * self.sample_percent // 100)  # ceiling
            values["sample_size"] = int(min(max(size, 1), lot_size))
        else:
            if lot_size < 2:
                values["sample_size"] = lot_size
                return values
            try:
                plan = iso2859.sampling_plan(lot_size, self.aql, self.inspection_level)
            except iso2859.SamplingError as error:
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': no ISO 2859-1 plan for a lot of %(qty)s "
                        "(%(error)s).",
                        point=self.name,
                        qty=lot_size,
                        error=error,
                    )
                ) from error
            values.update(
                sample_size=plan["sample_size"],
                code_letter=plan["code_letter"],
                accept_number=plan["accept"],
                reject_number=plan["reject"],
            )
        return values

    @api.constrains("sampling_switching", "sampling")
    def _check_sampling_switching(self):
        for point in self.filtered("sampling_switching"):
            if point.sampling != "iso2859":
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': the switching rules need ISO 2859-1 sampling.",
                        point=point.name,
                    )
                )

    def _med_switching_values(self, lot_qty, values):
        """Severity and plan of a new check under the switching rules (else ``{}``)."""
        self.ensure_one()
        if not (self.sampling_switching and self.sampling == "iso2859"):
            return {}
        picking = self.env["stock.picking"].browse(values.get("picking_id"))
        product = self.env["product.product"].browse(values.get("product_id"))
        switching = self.env["med.quality.switching"]._med_for(self, picking.partner_id, product)
        severity = switching.severity
        vals = {"switching_id": switching.id, "inspection_severity": severity}
        lot_size = max(int(round(lot_qty)), 1)
        if severity in ("normal",) or lot_size < 2:
            return vals
        # a discontinued inspection samples like tightened; no lot can pass it
        table = "tightened" if severity == "discontinued" else severity
        plan = iso2859.sampling_plan(lot_size, self.aql, self.inspection_level, table)
        vals.update(
            sample_size=plan["sample_size"],
            code_letter=plan["code_letter"],
            accept_number=plan["accept"],
            reject_number=plan["reject"],
        )
        return vals
