from collections import defaultdict, deque

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import clean_context, format_datetime
from odoo.tools.sql import table_exists

from ..tools import gs1
from ..tools.genealogy_sql import TRACE_DIRECTIONS, create_trace_functions, trace_function_name


class StockLot(models.Model):
    _inherit = "stock.lot"

    # Tracked key fields (the chatter is the audit trail of a lot)
    name = fields.Char(tracking=True)
    ref = fields.Char(tracking=True)
    expiration_date = fields.Datetime(tracking=True)
    med_production_date = fields.Date(
        string="Production Date",
        tracking=True,
        help="Date the lot or serial was manufactured: GS1 application identifier (11) of the "
        "UDI. Set from the manufacturing order when it is marked as done.",
    )
    med_hold_ids = fields.One2many("med.lot.hold", "lot_id", string="Holds")
    med_hold_active = fields.Boolean(
        string="On Hold",
        compute="_compute_med_hold_active",
        store=True,
        tracking=True,
        help="An active hold blocks reservation, consumption and delivery of the lot. "
        "Derived from the holds: put the lot on hold or release its hold to change it.",
    )
    med_hold_count = fields.Integer(string="Hold Count", compute="_compute_med_hold_count")
    med_upstream_count = fields.Integer(string="Upstream", compute="_compute_med_trace_counts")
    med_downstream_count = fields.Integer(string="Downstream", compute="_compute_med_trace_counts")
    med_udi = fields.Char(
        string="UDI",
        compute="_compute_med_udi",
        help="GS1 element string of the Unique Device Identifier: (01) GTIN, (11) production "
        "date, (17) expiry date, (10) lot or (21) serial number.",
    )
    med_udi_issue = fields.Char(string="UDI Issue", compute="_compute_med_udi")
    med_dhr_attachment_id = fields.Many2one(
        "ir.attachment", string="Device History Record", readonly=True, copy=False, tracking=True
    )
    med_dhr_date = fields.Datetime(string="DHR Date", readonly=True, copy=False)
    med_dhr_frozen = fields.Boolean(string="DHR Frozen", readonly=True, copy=False, tracking=True)
    med_dhr_version = fields.Integer(string="DHR Version", readonly=True, copy=False)

    def init(self):
        res = super().init()
        create_trace_functions(self.env.cr)
        # The hold flag used to be a plain field that users could write: on update,
        # derive it again from the holds (no-op when it already agrees). At install
        # the holds' table may not exist yet, and there is no hold anyway.
        if not table_exists(self.env.cr, "med_lot_hold"):
            return res
        self.env.cr.execute(
            """
            UPDATE stock_lot lot
               SET med_hold_active = held.active
              FROM (SELECT l.id, EXISTS(SELECT 1 FROM med_lot_hold h
                                         WHERE h.lot_id = l.id AND h.state = 'active') AS active
                      FROM stock_lot l) held
             WHERE held.id = lot.id AND lot.med_hold_active IS DISTINCT FROM held.active
            """
        )
        return res

    # ------------------------------------------------------------------
    # Protected fields: written only by the internal (superuser) paths
    # ------------------------------------------------------------------
    @api.model
    def _med_protected_fields(self):
        """Fields that only the internal paths (hold, DHR, signed release) may write.

        Those paths write with ``sudo()``; an RPC caller can never be superuser,
        so a plain ``create``/``write`` setting one of these fields is refused.
        Extended by ``med_quality_release`` with the release decision fields.
        """
        return {"med_dhr_attachment_id", "med_dhr_date", "med_dhr_frozen", "med_dhr_version"}

    @api.model
    def _med_derived_fields(self):
        """Stored fields computed from other records: nobody writes them, not even sudo."""
        return {"med_hold_active"}

    def _med_check_protected_write(self, vals):
        lots = ", ".join(self.mapped("display_name")) or vals.get("name") or ""
        derived = sorted(self._med_derived_fields() & set(vals))
        if derived:
            raise UserError(
                self.env._(
                    "Lot %(lots)s: %(fields)s cannot be written, it is derived from the holds "
                    "and the signed release decision of the lot.",
                    lots=lots,
                    fields=self._med_field_labels(derived),
                )
            )
        protected = sorted(self._med_protected_fields() & set(vals))
        if protected and not self.env.su:
            raise UserError(
                self.env._(
                    "Lot %(lots)s: %(fields)s cannot be written directly, only through the "
                    "signed release and reject, the quarantine, the holds and the Device "
                    "History Record actions.",
                    lots=lots,
                    fields=self._med_field_labels(protected),
                )
            )

    def _med_field_labels(self, names):
        return ", ".join(self._fields[name]._description_string(self.env) for name in names)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # an empty value is what a new lot has anyway
            self.browse()._med_check_protected_write({k: v for k, v in vals.items() if v})
        # a ``default_<field>`` context key (passed over RPC) must not set them either
        guarded = self._med_protected_fields() | self._med_derived_fields()
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (key.startswith("default_") and key[len("default_") :] in guarded)
        }
        return super(StockLot, self.with_env(self.env(context=context))).create(vals_list)

    def write(self, vals):
        self._med_check_protected_write(vals)
        return super().write(vals)

    @api.depends("med_hold_ids.state")
    def _compute_med_hold_active(self):
        for lot in self:
            lot.med_hold_active = any(hold.state == "active" for hold in lot.sudo().med_hold_ids)

    def _compute_med_hold_count(self):
        for lot in self:
            lot.med_hold_count = len(lot.med_hold_ids)

    def _compute_med_trace_counts(self):
        for lot in self:
            if not lot.id:
                lot.med_upstream_count = lot.med_downstream_count = 0
                continue
            lot.med_upstream_count = len(lot._med_trace_lots("upstream"))
            lot.med_downstream_count = len(lot._med_trace_lots("downstream"))

    @api.depends(
        "name",
        "product_id.product_tmpl_id.med_gtin",
        "product_id.barcode",
        "med_production_date",
        "expiration_date",
    )
    def _compute_med_udi(self):
        for lot in self:
            lot.med_udi, lot.med_udi_issue = lot._med_build_udi()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_med_hold(self, reason):
        """Put the lots on hold: reservation, consumption and delivery are blocked."""
        return self._med_hold(reason)

    def action_med_release_hold(self, reason):
        """Release the active holds of the lots (trace manager only)."""
        return self._med_release_holds(reason)

    def _med_hold(self, reason, recall=False):
        """Create the holds of the lots (traceability users only).

        The only way a hold is created: ``med.lot.hold`` refuses a direct
        ``create`` by a user, so who, when and why always come from here.

        :param recall: ``med.recall`` that puts the lots on hold, if any
        :return: the new ``med.lot.hold`` records
        """
        if not self.env.su and not self.env.user.has_group("med_trace.group_trace_user"):
            raise AccessError(
                self.env._(
                    "Only a traceability user can put lots on hold (%(lots)s).",
                    lots=", ".join(self.mapped("display_name")),
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("A hold needs a reason."))
        held = self.filtered("med_hold_active")
        if held:
            raise UserError(
                self.env._(
                    "These lots are already on hold: %(lots)s",
                    lots=", ".join(held.mapped("display_name")),
                )
            )
        now = fields.Datetime.now()
        holds = (
            self.env["med.lot.hold"]
            .sudo()
            .with_context(clean_context(self.env.context))
            .create(
                [
                    {
                        "lot_id": lot.id,
                        "reason": reason.strip(),
                        "user_id": self.env.user.id,
                        "date": now,
                        "state": "active",
                        "recall_id": recall.id if recall else False,
                        "company_id": (lot.company_id or self.env.company).id,
                    }
                    for lot in self
                ]
            )
        )
        for hold in holds:
            hold.lot_id.message_post(
                body=self.env._("Put on hold: %(reason)s", reason=hold.reason),
                subtype_xmlid="mail.mt_note",
            )
        return holds.with_env(self.env)

    def _med_release_holds(self, reason):
        """Release the active holds of the lots (traceability managers only)."""
        if not self.env.su and not self.env.user.has_group("med_trace.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a traceability manager can release a hold (%(lots)s).",
                    lots=", ".join(self.mapped("display_name")),
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Releasing a hold needs a reason."))
        not_held = self.filtered(lambda lot: not lot.med_hold_active)
        if not_held:
            raise UserError(
                self.env._(
                    "These lots are not on hold: %(lots)s",
                    lots=", ".join(not_held.mapped("display_name")),
                )
            )
        holds = self.sudo().med_hold_ids.filtered(lambda hold: hold.state == "active")
        holds._med_release(reason.strip(), self.env.user)
        for lot in self:
            lot.message_post(
                body=self.env._("Hold released: %(reason)s", reason=reason.strip()),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_med_open_hold_wizard(self):
        return self._med_hold_wizard_action("hold")

    def action_med_open_release_wizard(self):
        return self._med_hold_wizard_action("release")

    def _med_hold_wizard_action(self, mode):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put on Hold") if mode == "hold" else self.env._("Release Hold"),
            "res_model": "med.lot.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_ids": self.ids, "default_mode": mode},
        }

    def action_med_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("med_trace.action_med_lot_hold")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action

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

    def action_med_generate_dhr(self):
        """Render the Device History Record and store it as an attachment.

        A frozen DHR (released lot) is never replaced: generating again is refused.
        """
        frozen = self.filtered("med_dhr_frozen")
        if frozen:
            raise UserError(
                self.env._(
                    "The Device History Record of %(lots)s is frozen (the lot is released); "
                    "print the report to get a current copy, the frozen record stays as it is.",
                    lots=", ".join(frozen.mapped("display_name")),
                )
            )
        self._med_store_dhr(frozen=False)
        return True

    def _med_freeze_dhr(self):
        """Render and store the DHR as the frozen record of the release.

        Called at release by med_quality_release. An earlier frozen version is
        kept as an attachment and the supersession is written in the chatter.
        """
        return self._med_store_dhr(frozen=True)

    def _med_store_dhr(self, frozen):
        report = self.env.ref("med_trace.action_report_dhr").sudo()
        attachments = self.env["ir.attachment"]
        for lot in self:
            content, content_type = report._render_qweb_pdf(report.report_name, res_ids=lot.ids)
            extension = "pdf" if content_type == "pdf" else "html"
            previous = lot.med_dhr_attachment_id
            version = lot.med_dhr_version + 1
            attachment = self.env["ir.attachment"].create(
                {
                    "name": "DHR-%s-%s-v%s.%s"
                    % (
                        lot.product_id.default_code or lot.product_id.id,
                        lot.name,
                        version,
                        extension,
                    ),
                    "raw": content,
                    "mimetype": "application/pdf" if extension == "pdf" else "text/html",
                    "res_model": "stock.lot",
                    "res_id": lot.id,
                }
            )
            if previous and lot.med_dhr_frozen:
                lot.message_post(
                    body=self.env._(
                        "Frozen Device History Record version %(new)s supersedes version "
                        "%(old)s (%(name)s), which is kept.",
                        new=version,
                        old=lot.med_dhr_version,
                        name=previous.name,
                    ),
                    attachment_ids=attachment.ids,
                )
            lot.sudo().write(
                {
                    "med_dhr_attachment_id": attachment.id,
                    "med_dhr_date": fields.Datetime.now(),
                    "med_dhr_frozen": frozen or lot.med_dhr_frozen,
                    "med_dhr_version": version,
                }
            )
            attachments |= attachment
        return attachments

    def action_med_open_dhr(self):
        self.ensure_one()
        if not self.med_dhr_attachment_id:
            raise UserError(
                self.env._("Lot %(lot)s has no stored Device History Record.", lot=self.name)
            )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % self.med_dhr_attachment_id.id,
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Blocking mechanism (extended by med_quality_release)
    # ------------------------------------------------------------------
    def _med_blocking_reasons(self, usage):
        """Reasons why lots of ``self`` must not be used for ``usage``.

        :param usage: ``'reserve'``, ``'consume'`` (MO consumption) or
            ``'deliver'`` (outgoing to a customer)
        :return: ``{lot: [reason, ...]}`` for the blocked lots only
        """
        reasons = defaultdict(list)
        if not self.ids:
            return reasons
        holds = (
            self.env["med.lot.hold"]
            .sudo()
            .search([("lot_id", "in", self.ids), ("state", "=", "active")], order="date, id")
        )
        for hold in holds:
            reasons[self.browse(hold.lot_id.id)].append(
                self.env._(
                    "on hold since %(date)s by %(user)s: %(reason)s",
                    date=format_datetime(self.env, hold.date),
                    user=hold.user_id.name,
                    reason=hold.reason,
                )
            )
        return dict(reasons)

    @api.model
    def _med_check_usage(self, lots_by_usage):
        """Raise ONE UserError listing every blocked lot and its reasons.

        :param lots_by_usage: ``{usage: stock.lot recordset}``
        """
        verbs = {
            "reserve": self.env._("cannot be reserved or moved"),
            "consume": self.env._("cannot be consumed"),
            "deliver": self.env._("cannot be delivered"),
        }
        lines = []
        for usage, lots in lots_by_usage.items():
            if not lots:
                continue
            for lot, reasons in lots._med_blocking_reasons(usage).items():
                lines.append(
                    "- %s (%s) %s: %s"
                    % (lot.name, lot.product_id.display_name, verbs[usage], "; ".join(reasons))
                )
        if lines:
            raise UserError(
                self.env._("Blocked lots, nothing was done:\n%(lines)s", lines="\n".join(lines))
            )

    # ------------------------------------------------------------------
    # Genealogy
    # ------------------------------------------------------------------
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

    @api.model
    def _med_distances(self, root_ids, edges):
        """Breadth-first level (minimal distance from ``root_ids``) of every lot reached by
        ``edges``, without :meth:`_med_levels`'s parents (whose order costs a sort per lot)."""
        children = defaultdict(list)
        for parent, child, _ml in edges:
            children[parent].append(child)
        levels = dict.fromkeys(root_ids, 0)
        frontier = list(root_ids)
        while frontier:
            reached = []
            for node in frontier:
                for child in children[node]:
                    if child not in levels:
                        levels[child] = levels[node] + 1
                        reached.append(child)
            frontier = reached
        return levels

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
        return self._med_trace_rows("graph", direction)

    def _med_trace_size(self, direction, limit):
        """Number of genealogy links of ``self`` in ``direction``, counted up to ``limit``:
        the walk stops there, however large the genealogy is."""
        if direction not in TRACE_DIRECTIONS:
            raise UserError(
                self.env._("Unknown trace direction %(direction)s.", direction=direction)
            )
        self.env["stock.move.line"].flush_model()
        self.env.cr.execute(
            "SELECT %s(%%s, %%s)" % trace_function_name("size", direction),
            [list(self.ids), limit],
        )
        return self.env.cr.fetchone()[0]

    def _med_trace_impact(self):
        """Recall impact of ``self``: every lot downstream, all levels at once.

        :return: ``(lots, rows)``. ``lots`` maps every lot reached that the user may
            read (``self`` included) to a dict: ``level`` (0 for ``self``, then breadth
            first), ``product_id`` and ``used`` (a lot of the impact was made from it).
            ``rows``: one dict per delivery (``kind`` ``'delivery'``), on-hand quant
            (``'stock'``) and open (not done: reserved, in a transfer or an MO) move line
            (``'open'``) of those lots, with the keys of :meth:`_med_trace_graph`.
        """
        # read before the function's rows are fetched (an ORM read would replace them)
        products = {lot.id: lot.product_id.id for lot in self}
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(
            "SELECT * FROM %s(%%s)" % trace_function_name("impact", "downstream"), [list(self.ids)]
        )
        columns = [column.name for column in self.env.cr.description]
        edges, whereabouts = [], []
        # tens of thousands of link rows for a component of thousands of finished
        # lots: read as tuples (kind, parent lot, lot, product are the first columns)
        for row in self.env.cr.fetchall():
            if row[0] == "link":
                edges.append((row[1], row[2], None))
                products[row[2]] = row[3]
            else:
                whereabouts.append(dict(zip(columns, row, strict=True)))
        levels = self._med_distances(self.ids, edges)
        used = {parent for parent, _lot, _ml in edges}
        allowed = set(self.browse(list(levels))._filtered_access("read").ids) | set(self.ids)
        lots = {
            lot_id: {"level": level, "product_id": products[lot_id], "used": lot_id in used}
            for lot_id, level in levels.items()
            if lot_id in allowed
        }
        rows = []
        for row in whereabouts:
            if row["lot_id"] not in lots:
                continue
            row["level"] = lots[row["lot_id"]]["level"]
            for key in ("production_id", "picking_id", "partner_id", "date"):
                row[key] = row[key] or False
            rows.append(row)
        return lots, rows

    def _med_trace_rows(self, kind, direction):
        """Rows of the genealogy function ``kind`` of ``direction`` that the user may
        read, with their level (breadth first) and parent lot."""
        self.env["stock.move.line"].flush_model()
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(
            "SELECT * FROM %s(%%s)" % trace_function_name(kind, direction), [list(self.ids)]
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

    # ------------------------------------------------------------------
    # UDI
    # ------------------------------------------------------------------
    def _med_build_udi(self):
        """(element string or False, issue or False) for one lot."""
        self.ensure_one()
        if not self.product_id or not self.name:
            return False, False
        gtin = self.product_id.product_tmpl_id._med_get_gtin()
        if not gtin:
            return False, self.env._("The product has no valid GTIN.")
        if not gs1.is_valid_lot_value(self.name):
            return False, self.env._(
                "The lot/serial number must be at most 20 GS1 characters (letters, digits, "
                "punctuation) to be part of a UDI."
            )
        serial = self.product_id.tracking == "serial"
        expiry = (
            self.expiration_date
            and fields.Datetime.context_timestamp(self, self.expiration_date).date()
        )
        udi = gs1.build_element_string(
            gtin,
            production_date=self.med_production_date,
            expiry_date=expiry,
            lot=False if serial else self.name,
            serial=self.name if serial else False,
        )
        return udi, False

    def _med_udi_data(self):
        """Raw GS1 data (FNC1 as GS) carried by the DataMatrix of the lot."""
        self.ensure_one()
        return gs1.element_string_to_data(self.med_udi) if self.med_udi else ""

    def _med_udi_datamatrix_src(self):
        """``data:`` URI of the GS1 DataMatrix PNG (used by the label report)."""
        from ..tools.datamatrix import gs1_datamatrix_data_uri

        self.ensure_one()
        return gs1_datamatrix_data_uri(self._med_udi_data()) if self.med_udi else ""

    def _med_dhr_productions(self):
        """Manufacturing orders that produced this lot (DHR content)."""
        self.ensure_one()
        move_lines = self.env["stock.move.line"].search(
            [("lot_id", "=", self.id), ("move_id.production_id", "!=", False)]
        )
        productions = move_lines.move_id.production_id
        productions |= self.env["mrp.production"].search([("lot_producing_ids", "in", self.ids)])
        return productions.sorted("id")
