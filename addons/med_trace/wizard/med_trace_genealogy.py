import base64

from markupsafe import Markup

from odoo import api, fields, models

from ..tools.genealogy_svg import render_genealogy_svg


class MedTraceGenealogy(models.TransientModel):
    _name = "med.trace.genealogy"
    _description = "Lot Genealogy"

    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", required=True)
    product_id = fields.Many2one(related="lot_id.product_id")
    line_ids = fields.Many2many("med.trace.line", string="Genealogy", readonly=True)
    upstream_line_ids = fields.Many2many(
        "med.trace.line", compute="_compute_direction_lines", string="Upstream"
    )
    downstream_line_ids = fields.Many2many(
        "med.trace.line", compute="_compute_direction_lines", string="Downstream"
    )
    upstream_count = fields.Integer(string="Upstream Lots", readonly=True)
    downstream_count = fields.Integer(string="Downstream Lots", readonly=True)
    graph_svg = fields.Html(string="Graph", sanitize=False, readonly=True)

    @api.depends("lot_id")
    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._(
                "Genealogy of %(lot)s (%(product)s)",
                lot=wizard.lot_id.name,
                product=wizard.lot_id.product_id.display_name,
            )

    @api.depends("line_ids")
    def _compute_direction_lines(self):
        for wizard in self:
            lines = wizard.line_ids
            wizard.upstream_line_ids = lines.filtered(lambda rec: rec.direction == "upstream")
            wizard.downstream_line_ids = lines.filtered(lambda rec: rec.direction == "downstream")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._med_load()
        return wizards

    def _med_load(self):
        """Trace the lot both ways (all levels) and draw the graph."""
        self.ensure_one()
        lines = self.env["med.trace.line"]._med_refresh(self.lot_id)
        links = lines.filtered(lambda rec: rec.kind == "link")
        self.write(
            {
                "line_ids": [fields.Command.set(lines.ids)],
                "upstream_count": len(
                    links.filtered(lambda rec: rec.direction == "upstream").lot_id - self.lot_id
                ),
                "downstream_count": len(
                    links.filtered(lambda rec: rec.direction == "downstream").lot_id - self.lot_id
                ),
                "graph_svg": Markup(self._med_svg(lines)),
            }
        )

    def action_refresh(self):
        self._med_load()
        return True

    def _med_svg(self, lines):
        lot = self.lot_id
        nodes = {
            lot.id: {
                "key": lot.id,
                "level": 0,
                "title": lot.name,
                "subtitle": lot.product_id.display_name,
                "kind": "root",
                "hold": lot.med_hold_active,
            }
        }
        edges = set()
        for line in lines.filtered(lambda rec: rec.kind == "link"):
            sign = -1 if line.direction == "upstream" else 1
            key = line.lot_id.id
            if key in nodes:
                if key != lot.id and abs(nodes[key]["level"]) > line.level:
                    nodes[key]["level"] = sign * line.level
            else:
                nodes[key] = {
                    "key": key,
                    "level": sign * line.level,
                    "title": line.lot_id.name,
                    "subtitle": "%s · %s %s"
                    % (line.product_id.display_name, line.quantity, line.uom_id.name or ""),
                    "kind": line.direction,
                    "hold": line.lot_id.med_hold_active,
                }
            if line.direction == "upstream":
                edges.add((line.lot_id.id, line.parent_lot_id.id))
            else:
                edges.add((line.parent_lot_id.id, line.lot_id.id))
        for line in lines.filtered(lambda rec: rec.kind == "delivery" and rec.partner_id):
            key = "partner-%s" % line.partner_id.id
            level = line.level + 1
            if key not in nodes or nodes[key]["level"] < level:
                nodes[key] = {
                    "key": key,
                    "level": level,
                    "title": line.partner_id.display_name,
                    "subtitle": self.env._("Customer"),
                    "kind": "downstream",
                    "hold": False,
                }
            edges.add((line.lot_id.id, key))
        return render_genealogy_svg(
            list(nodes.values()), sorted(edges, key=str), more_label=self.env._("+%s more")
        )

    def action_export_csv(self):
        return self._med_export("csv")

    def action_export_xlsx(self):
        return self._med_export("xlsx")

    def _med_export(self, file_format):
        """Download the genealogy now, or queue it when it is large."""
        self.ensure_one()
        jobs = self.env["med.trace.job"]
        size = len(self.line_ids)
        if jobs._med_is_large(size):
            job = jobs._med_enqueue(
                {
                    "job_type": "genealogy",
                    "lot_id": self.lot_id.id,
                    "file_format": file_format,
                    "size": size,
                    "company_id": self.lot_id.company_id.id or self.env.company.id,
                }
            )
            return job._med_queued_action()
        name, content, mimetype, _count = jobs._med_genealogy_file(
            self.lot_id, file_format, lines=self.line_ids
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(content),
                "mimetype": mimetype,
                "res_model": "stock.lot",
                "res_id": self.lot_id.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % attachment.id,
            "target": "self",
        }

    def action_open_lines(self):
        return self.lot_id.action_med_trace_lines()
