import base64
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class MedRecall(models.Model):
    _name = "med.recall"
    _description = "Recall"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default=lambda self: "/"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    reason = fields.Text(required=True, tracking=True)
    mode = fields.Selection(
        [("lots", "Suspect Lots"), ("supplier", "Supplier Receipts")],
        string="Start From",
        required=True,
        default="lots",
    )
    suspect_lot_ids = fields.Many2many("stock.lot", string="Suspect Lots", check_company=True)
    supplier_id = fields.Many2one("res.partner")
    receipt_date_from = fields.Date(string="Received From")
    receipt_date_to = fields.Date(string="Received To")
    line_ids = fields.One2many("med.recall.line", "recall_id", string="Impact")
    hold_ids = fields.One2many("med.lot.hold", "recall_id", string="Holds")
    job_ids = fields.One2many("med.trace.job", "recall_id", string="Background Jobs")
    job_count = fields.Integer(compute="_compute_job_state", string="Jobs")
    analysis_pending = fields.Boolean(
        compute="_compute_job_state",
        help="The impact analysis is queued or running in the background.",
    )
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    confirmed_date = fields.Datetime(string="Confirmed On", readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, readonly=True
    )
    affected_lot_count = fields.Integer(compute="_compute_counts", string="Affected Lots")
    customer_count = fields.Integer(compute="_compute_counts", string="Customers")
    on_hand_lot_count = fields.Integer(compute="_compute_counts", string="Lots On Hand")
    hold_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.kind", "line_ids.lot_count", "hold_ids")
    def _compute_counts(self):
        for recall in self:
            lines = recall.line_ids
            recall.affected_lot_count = len(lines.filtered(lambda rec: rec.kind == "lot")) + sum(
                lines.filtered(lambda rec: rec.kind == "lot_group").mapped("lot_count")
            )
            recall.customer_count = len(
                lines.filtered(lambda rec: rec.kind == "delivered").partner_id
            )
            recall.on_hand_lot_count = len(lines.filtered(lambda rec: rec.kind == "on_hand").lot_id)
            recall.hold_count = len(recall.hold_ids)

    @api.depends("job_ids.state", "job_ids.job_type")
    def _compute_job_state(self):
        for recall in self:
            recall.job_count = len(recall.job_ids)
            recall.analysis_pending = any(
                job.job_type == "recall_analysis" and job.state in ("queued", "running")
                for job in recall.job_ids
            )

    @api.constrains("receipt_date_from", "receipt_date_to")
    def _check_dates(self):
        for recall in self:
            if (
                recall.receipt_date_from
                and recall.receipt_date_to
                and recall.receipt_date_from > recall.receipt_date_to
            ):
                raise UserError(
                    self.env._(
                        "Recall %(recall)s: the receipt date range ends before it starts.",
                        recall=recall.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            forged = sorted(
                name
                for name in self._CONFIRMATION_FIELDS
                if vals.get(name) and vals.get(name) != "draft"
            )
            if forged:
                raise UserError(
                    self.env._(
                        "A new recall is a draft: %(fields)s can only be set by the Confirm "
                        "action.",
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in forged
                        ),
                    )
                )
            vals.update(state="draft", confirmed_by_id=False, confirmed_date=False)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.recall") or "/"
        return super().create(vals_list)

    _MUTABLE_WHEN_CONFIRMED = frozenset({"hold_ids", "job_ids"})
    # Set only by ``action_confirm`` (superuser write after its checks)
    _CONFIRMATION_FIELDS = frozenset({"state", "confirmed_by_id", "confirmed_date"})

    def write(self, vals):
        confirmation = sorted(self._CONFIRMATION_FIELDS & set(vals))
        if confirmation and not self.env.su:
            raise UserError(
                self.env._(
                    "Recall %(recall)s: %(fields)s can only be set by the Confirm action.",
                    recall=", ".join(self.mapped("name")),
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in confirmation
                    ),
                )
            )
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        if confirmed:
            allowed = self._MUTABLE_WHEN_CONFIRMED | {
                name
                for name in self._fields
                if name.startswith(("message_", "activity_", "rating_"))
            }
            protected = set(vals) - allowed
            if protected:
                raise UserError(
                    self.env._(
                        "Recall %(recall)s is confirmed and cannot be changed.",
                        recall=", ".join(confirmed.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        self._med_check_editable()

    def _med_check_editable(self):
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        if confirmed:
            raise UserError(
                self.env._(
                    "Recall %(recall)s is confirmed and cannot be changed.",
                    recall=", ".join(confirmed.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute(self):
        """Compute the impact now, or queue the analysis when the genealogy is large.

        :return: ``True``, or the notification of the queued job (one recall)
        """
        jobs = self.env["med.trace.job"]
        queued = jobs
        for recall in self:
            recall._med_check_editable()
            recall._med_check_no_pending_analysis()
            # only whether the genealogy passes the threshold matters here: counted
            # no further, the large genealogy is walked once, by the analysis
            threshold = jobs._med_threshold()
            size = recall._med_suspect_lots()._med_trace_size("downstream", threshold + 1)
            if jobs._med_is_large(size):
                queued |= jobs._med_enqueue(
                    {
                        "job_type": "recall_analysis",
                        "recall_id": recall.id,
                        "size": size,
                        "company_id": recall.company_id.id,
                    }
                )
                recall.message_post(
                    body=self.env._(
                        "Impact analysis queued in the background (more than %(threshold)s "
                        "genealogy links).",
                        threshold=threshold,
                    )
                )
                continue
            recall._med_write_impact(recall._med_impact_lines())
        if len(self) == 1 and queued:
            return queued._med_queued_action()
        return True

    def _med_write_impact(self, lines):
        """Replace the impact lines by ``lines`` (list of values).

        The recall of a component used in thousands of finished lots has tens of
        thousands of lines: they are inserted in one statement (creating them one
        by one through the ORM took seconds per thousand lines). The line model has
        no other logic at creation than the checks made here.
        """
        self.ensure_one()
        self._med_check_editable()
        self.check_access("write")
        self.env["med.recall.line"].check_access("create")
        self.line_ids.unlink()
        self.env["med.recall.line"]._med_bulk_create(self, lines)

    def _med_check_no_pending_analysis(self):
        pending = self.filtered("analysis_pending")
        if pending:
            raise UserError(
                self.env._(
                    "Recall %(recall)s: the impact analysis is still running in the background; "
                    "wait for it to finish.",
                    recall=", ".join(pending.mapped("name")),
                )
            )

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("med_trace.action_med_trace_job")
        action["domain"] = [("recall_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_confirm(self):
        """Confirm the recall: a dated record that can no longer change (managers only)."""
        if not self.env.su and not self.env.user.has_group("med_trace.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a traceability manager can confirm a recall (%(recall)s).",
                    recall=", ".join(self.mapped("name")),
                )
            )
        self._med_check_no_pending_analysis()
        for recall in self:
            recall._med_check_editable()
            if not recall.line_ids:
                raise UserError(
                    self.env._("Recall %(recall)s has no impact computed yet.", recall=recall.name)
                )
        self.sudo().write(
            {
                "state": "confirmed",
                "confirmed_by_id": self.env.user.id,
                "confirmed_date": fields.Datetime.now(),
            }
        )
        return True

    def action_hold_on_hand(self):
        """Put the affected lots that are still on hand on hold."""
        self.ensure_one()
        lots = self.line_ids.filtered(lambda rec: rec.kind == "on_hand").lot_id
        to_hold = lots.filtered(lambda lot: not lot.med_hold_active)
        if not lots:
            raise UserError(
                self.env._("Recall %(recall)s: no affected lot is on hand.", recall=self.name)
            )
        if not to_hold:
            raise UserError(
                self.env._(
                    "Recall %(recall)s: all affected on-hand lots are already on hold.",
                    recall=self.name,
                )
            )
        to_hold._med_hold(
            self.env._("Recall %(recall)s: %(reason)s", recall=self.name, reason=self.reason),
            recall=self,
        )
        self.message_post(
            body=self.env._(
                "%(count)s lots put on hold: %(lots)s",
                count=len(to_hold),
                lots=", ".join(to_hold.mapped("name")),
            )
        )
        return True

    def action_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("med_trace.action_med_lot_hold")
        action["domain"] = [("recall_id", "=", self.id)]
        action["context"] = {}
        return action

    def _med_customer_rows(self):
        header = [
            self.env._("Customer"),
            self.env._("Address"),
            self.env._("Email"),
            self.env._("Phone"),
            self.env._("Delivery"),
            self.env["med.trace.job"]._med_date_header(),
            self.env._("Product"),
            self.env._("Lot/Serial Number"),
            self.env._("Quantity"),
            self.env._("Unit"),
        ]
        rows = []
        for line in self.line_ids.filtered(lambda rec: rec.kind == "delivered"):
            partner = line.partner_id
            rows.append(
                [
                    partner.display_name or "",
                    partner._display_address(without_company=True).replace("\n", ", ")
                    if partner
                    else "",
                    partner.email or "",
                    partner.phone or "",
                    line.picking_id.name or "",
                    self.env["med.trace.job"]._med_local_time(line.date),
                    line.product_id.display_name,
                    line.lot_id.name,
                    line.quantity,
                    line.uom_id.name,
                ]
            )
        return header, rows

    def action_export_customers_csv(self):
        return self._med_export_customers("csv")

    def action_export_customers_xlsx(self):
        return self._med_export_customers("xlsx")

    def _med_export_customers(self, file_format):
        """Download the customer list now, or queue it when it is large."""
        self.ensure_one()
        jobs = self.env["med.trace.job"]
        size = len(self.line_ids.filtered(lambda rec: rec.kind == "delivered"))
        if jobs._med_is_large(size):
            job = jobs._med_enqueue(
                {
                    "job_type": "recall_customers",
                    "recall_id": self.id,
                    "file_format": file_format,
                    "size": size,
                    "company_id": self.company_id.id,
                }
            )
            return job._med_queued_action()
        name, content, mimetype, _count = jobs._med_recall_customers_file(self, file_format)
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(content),
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % attachment.id,
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _med_suspect_lots(self):
        self.ensure_one()
        if self.mode == "lots":
            if not self.suspect_lot_ids:
                raise UserError(
                    self.env._(
                        "Recall %(recall)s: select at least one suspect lot.", recall=self.name
                    )
                )
            return self.suspect_lot_ids
        if not self.supplier_id:
            raise UserError(self.env._("Recall %(recall)s: select the supplier.", recall=self.name))
        domain = [
            ("state", "=", "done"),
            ("lot_id", "!=", False),
            ("location_id.usage", "=", "supplier"),
            "|",
            ("picking_id.partner_id", "child_of", self.supplier_id.commercial_partner_id.id),
            ("move_id.partner_id", "child_of", self.supplier_id.commercial_partner_id.id),
        ]
        if self.receipt_date_from:
            domain.append(("date", ">=", fields.Datetime.to_datetime(self.receipt_date_from)))
        if self.receipt_date_to:
            end = fields.Datetime.to_datetime(self.receipt_date_to)
            domain.append(("date", "<", fields.Datetime.add(end, days=1)))
        lots = self.env["stock.move.line"].search(domain).lot_id
        if not lots:
            raise UserError(
                self.env._(
                    "Recall %(recall)s: no lot was received from %(supplier)s in that period.",
                    recall=self.name,
                    supplier=self.supplier_id.display_name,
                )
            )
        return lots

    def _med_impact_lines(self):
        """Line values of the impact.

        One line per lot a recall acts on: the suspect lots, the lots not used further
        (finished lots), and every lot on hand, delivered or in an open operation, with
        one line per place it is on hand, delivery and open move line. The other lots
        reached (intermediate lots used up by the next levels) are one line per level and
        product listing them: a component of thousands of finished lots reaches tens of
        thousands of such lots, which a recall does not act on one by one.
        """
        self.ensure_one()
        lots, rows = self._med_suspect_lots()._med_trace_impact()
        lines = [self._med_prepare_whereabouts_line_vals(row) for row in rows]
        on_hand = defaultdict(float)
        for row in rows:
            if row["kind"] == "stock":
                on_hand[row["lot_id"]] += row["quantity"]
        acted_on = {row["lot_id"] for row in rows}
        groups = defaultdict(list)
        for lot_id, lot in lots.items():
            if lot["level"] and lot["used"] and lot_id not in acted_on:
                groups[lot["level"], lot["product_id"]].append(lot_id)
            else:
                lines.append(self._med_prepare_lot_line_vals(lot_id, lot, on_hand[lot_id]))
        for (level, product_id), lot_ids in groups.items():
            lines.append(self._med_prepare_lot_group_line_vals(level, product_id, lot_ids))
        return lines

    @api.model
    def _med_prepare_whereabouts_line_vals(self, row):
        """Line values of an on-hand quant, a delivery or an open move line of an
        affected lot (a row of ``stock.lot._med_trace_impact``)."""
        values = {
            "level": row["level"],
            "lot_id": row["lot_id"],
            "product_id": row["product_id"],
            "quantity": row["quantity"],
            "location_id": row["location_id"],
        }
        if row["kind"] == "stock":
            return dict(values, kind="on_hand")
        if row["kind"] == "delivery":
            return dict(
                values,
                kind="delivered",
                partner_id=row["partner_id"],
                picking_id=row["picking_id"],
                date=row["date"],
            )
        return dict(
            values,
            kind="open_mo" if row["production_id"] else "open_transfer",
            partner_id=row["partner_id"],
            picking_id=row["picking_id"],
            production_id=row["production_id"],
            date=row["date"],
        )

    @api.model
    def _med_prepare_lot_line_vals(self, lot_id, lot, on_hand):
        """Line values of one affected lot (``lot``: its level and product)."""
        return {
            "kind": "lot",
            "level": lot["level"],
            "lot_id": lot_id,
            "product_id": lot["product_id"],
            "quantity": on_hand,
        }

    @api.model
    def _med_prepare_lot_group_line_vals(self, level, product_id, lot_ids):
        """Line values of the intermediate lots of one level and product."""
        return {
            "kind": "lot_group",
            "level": level,
            "product_id": product_id,
            "quantity": 0.0,
            "lot_count": len(lot_ids),
            "grouped_lot_ids": sorted(lot_ids),
        }
