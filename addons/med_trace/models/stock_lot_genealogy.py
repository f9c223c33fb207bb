from collections import defaultdict, deque

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.genealogy_sql import TRACE_DIRECTIONS, create_trace_functions, trace_function_name


class StockLot(models.Model):
    """Genealogy of a lot: every lot upstream (its inputs) and downstream (where it went), all
    levels at once, through the SQL functions of ``tools/genealogy_sql.py``."""

    _inherit = "stock.lot"

    med_upstream_count = fields.Integer(string="Upstream", compute="_compute_med_trace_counts")
    med_downstream_count = fields.Integer(string="Downstream", compute="_compute_med_trace_counts")

    def init(self):
        res = super().init()
        create_trace_functions(self.env.cr)
        return res

    def _compute_med_trace_counts(self):
        for lot in self:
            if not lot.id:
                lot.med_upstream_count = lot.med_downstream_count = 0
                continue
            lot.med_upstream_count = len(lot._med_trace_lots("upstream"))
            lot.med_downstream_count = len(lot._med_trace_lots("downstream"))

    def action_med_trace_upstream(self):
        return self._med_open_trace_lines("upstream")

    def action_med_trace_downstream(self):
        return self._med_open_trace_lines("downstream")

    def action_med_trace_lines(self):
        return self._med_open_trace_lines(False)

    def _med_open_trace_lines(self, direction):
        self.ensure_one()
        self.env["med.trace.line"]._med_refresh(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("med_trace.action_med_trace_line")
        action["domain"] = [("origin_lot_id", "=", self.id), ("create_uid", "=", self.env.uid)]
        context = {"search_default_group_direction": 1, "search_default_group_level": 1}
        if direction:
            context["search_default_%s" % direction] = 1
        action["context"] = context
        action["display_name"] = self.env._("Genealogy of %(lot)s", lot=self.display_name)
        return action

    def action_med_genealogy(self):
        self.ensure_one()
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Genealogy of %(lot)s", lot=self.display_name),
            "res_model": "med.trace.genealogy",
            "res_id": genealogy.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_med_recall(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recall Impact"),
            "res_model": "med.recall.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_mode": "lots", "default_lot_ids": self.ids},
        }

    def _med_trace_walk(self, direction):
        if direction not in TRACE_DIRECTIONS:
            raise UserError(
                self.env._("Unknown trace direction %(direction)s.", direction=direction)
            )
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(
            "SELECT * FROM %s(%%s)" % trace_function_name("walk", direction), [list(self.ids)]
        )
        return self.env.cr.fetchall()

    @api.model
    def _med_levels(self, root_ids, edges):
        """Breadth-first levels (minimal distance) of the lots reached by ``edges``."""
        children = defaultdict(set)
        for parent, child, _ml in edges:
            children[parent].add(child)
        levels = dict.fromkeys(root_ids, 0)
        parents = {}
        queue = deque(root_ids)
        while queue:
            node = queue.popleft()
            for child in sorted(children[node]):
                if child not in levels:
                    levels[child] = levels[node] + 1
                    parents[child] = node
                    queue.append(child)
        return levels, parents

    def _med_trace_lots(self, direction):
        """All lots upstream (inputs) or downstream (uses) of ``self``, all levels.

        :param direction: ``'upstream'`` or ``'downstream'``
        :return: ``stock.lot`` recordset, ``self`` excluded
        """
        edges = self._med_trace_walk(direction)
        lot_ids = {child for _parent, child, _ml in edges} - set(self.ids)
        lots = self.browse(sorted(lot_ids))
        return lots._filtered_access("read") if lots else lots

    def _med_trace_graph(self, direction):
        """Genealogy of ``self`` in one direction, all levels at once.

        :return: list of dicts with keys ``level, lot_id, product_id, quantity,
            uom, production_id, picking_id, date, location_id, partner_id,
            parent_lot_id`` plus ``kind`` (``'link'`` for an MO/unbuild link,
            ``'transfer'`` between internal locations, ``'delivery'``,
            ``'stock'`` (on hand) or ``'receipt'``), ``unbuild_id`` and
            ``location_src_id``. Quantities are in the product's unit; ids are ints.
        """
        if direction not in TRACE_DIRECTIONS:
            raise UserError(
                self.env._("Unknown trace direction %(direction)s.", direction=direction)
            )
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(
            "SELECT * FROM %s(%%s)" % trace_function_name("graph", direction), [list(self.ids)]
        )
        found = self.env.cr.dictfetchall()
        edges = [
            (row["parent_lot_id"], row["lot_id"], None) for row in found if row["kind"] == "link"
        ]
        levels, parents = self._med_levels(self.ids, edges)
        allowed = set(self.browse(list(levels))._filtered_access("read").ids) | set(self.ids)
        rows = []
        for row in found:
            if row["lot_id"] not in allowed or row["lot_id"] not in levels:
                continue
            if row["kind"] == "link":
                row["level"] = levels[row["parent_lot_id"]] + 1
            else:
                row["level"] = levels[row["lot_id"]]
                row["parent_lot_id"] = parents.get(row["lot_id"], False)
            for key in (
                "production_id",
                "unbuild_id",
                "parent_lot_id",
                "location_src_id",
                "picking_id",
                "partner_id",
                "date",
            ):
                row[key] = row[key] or False
            rows.append(row)
        rows.sort(
            key=lambda r: (r["level"], r["kind"] != "link", r["lot_id"], str(r["date"] or ""))
        )
        return rows
