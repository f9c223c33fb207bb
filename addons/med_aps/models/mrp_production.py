from collections import defaultdict
from datetime import datetime

import babel.dates
import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

PRIORITY_WEIGHTS = {"0": 1, "1": 5}


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "med.aps.lockable.mixin", "med.aps.plan.result.mixin"]
    _aps_plan_result_fields = frozenset(
        {"aps_planned_finish", "aps_late_causes", "aps_last_run_id", "aps_planned"}
    )

    aps_locked = fields.Boolean(
        "Locked in Plan",
        copy=False,
        help="The work orders of a locked order keep their work center and dates when the "
        "plan is recomputed.",
    )
    aps_weight = fields.Integer(
        "Planning Weight",
        compute="_compute_aps_weight",
        store=True,
        help="Weight of the tardiness of this order in the planning objective (from priority).",
    )
    aps_planned_finish = fields.Datetime("Planned Finish", copy=False, readonly=True)
    aps_tardiness_hours = fields.Float(
        "Tardiness (h)",
        compute="_compute_aps_tardiness",
        store=True,
        digits=(16, 2),
        help="Hours between the deadline and the planned finish (0 when on time).",
    )
    aps_is_late = fields.Boolean("Late", compute="_compute_aps_tardiness", store=True)
    aps_tardiness_display = fields.Char(
        "Late By",
        compute="_compute_aps_tardiness_display",
        help="How late the plan finishes the order: in hours up to two days, then in days.",
    )
    aps_late_causes = fields.Json(
        "Late Causes",
        copy=False,
        readonly=True,
        help="Why the plan finishes the order late, as the run found it (work orders, work "
        "centers, dates); worded in the reader's language by Late Reason.",
    )
    aps_late_reason = fields.Text("Late Reason", compute="_compute_aps_late_reason")
    aps_plan_issue_note = fields.Text(
        "Plan Problems",
        compute="_compute_aps_plan_issue_note",
        help="What the latest plan check found for this order: work running late, an overlap, "
        "material after the planned start, a blocked work center, a missed deadline.",
    )
    aps_late_reason_line = fields.Char(
        "Why Late",
        compute="_compute_aps_late_reason_line",
        help="The late reason on one line; the full text is in the tooltip and on the form.",
    )
    aps_last_run_id = fields.Many2one("med.aps.run", "Last Plan Run", copy=False, readonly=True)
    aps_planned = fields.Boolean("Planned by APS", copy=False, readonly=True)

    @api.depends("priority")
    def _compute_aps_weight(self):
        for production in self:
            production.aps_weight = PRIORITY_WEIGHTS.get(production.priority or "0", 1)

    @api.depends("aps_planned_finish", "date_deadline")
    def _compute_aps_tardiness(self):
        for production in self:
            hours = self._aps_hours_late(production.aps_planned_finish, production.date_deadline)
            production.aps_tardiness_hours = hours
            production.aps_is_late = hours > 0

    @api.model
    def _aps_hours_late(self, planned_finish, deadline):
        """Hours a planned finish is after the deadline (0 when on time or undated): the one
        definition of lateness on the Odoo side."""
        if not planned_finish or not deadline or planned_finish <= deadline:
            return 0.0
        return (planned_finish - deadline).total_seconds() / 3600.0

    @api.depends("aps_planned_finish", "date_deadline")
    def _compute_aps_tardiness_display(self):
        # from the dates, as the plan check words it: the stored hours are rounded to two
        # decimals, and rounded again to one they could read 0.1 h more (14.149 -> 14.15)
        for production in self:
            hours = self._aps_hours_late(production.aps_planned_finish, production.date_deadline)
            production.aps_tardiness_display = (
                production._aps_format_duration(hours) if hours > 0 else False
            )

    def _aps_format_duration(self, hours):
        """Hours up to two days, then days: what a planner reads at a glance."""
        if hours >= 48:
            return self.env._("%(days)s days", days=f"{hours / 24.0:.1f}")
        if hours >= 1:
            return self.env._("%(hours)s h", hours=f"{hours:.1f}")
        return self.env._("%(minutes)s min", minutes=max(1, round(hours * 60)))

    # ------------------------------------------------------------------ engine contract
    def _aps_job_vals(self, due, operations):
        """The engine job of this order (``docs/engine-schema.md``): ``due`` in minutes from
        the plan origin (deadline minus release lead time and final holds, or None),
        ``operations`` its engine operations. Extend with ``super()`` (e.g. under
        ``"extensions"``)."""
        self.ensure_one()
        return {
            "id": "MO/%d" % self.id,
            "name": self.name,
            "release": 0,
            "due": due,
            "weight": max(1, self.aps_weight or 1),
            "operations": operations,
        }

    def _aps_log_plan_changes(self, run, changes):
        """One chatter note per order whose dates the run moved (the plan is written in SQL,
        so Odoo's field tracking does not see it). ``changes``: {mo id: (old start, old
        finish, new start, new finish)}."""
        if not self:
            return
        bodies = {}
        why = run._aps_repair_reason() if run.trigger == "repair" else ""
        format_date = self._aps_date_formatter()
        for production in self:
            old_start, old_finish, new_start, new_finish = changes[production.id]
            if why and old_finish and new_finish:
                bodies[production.id] = self._aps_repair_note(
                    run, changes[production.id], why, format_date
                )
                continue
            bodies[production.id] = self.env._(
                "Planned by %(run)s: start %(old_start)s → %(new_start)s, finish "
                "%(old_finish)s → %(new_finish)s.",
                run=run.name,
                old_start=format_date(old_start),
                new_start=format_date(new_start),
                old_finish=format_date(old_finish),
                new_finish=format_date(new_finish),
            )
        self._message_log_batch(bodies=bodies)

    def _aps_repair_note(self, run, change, why, format_date=None):
        """The note of an order a repair moved: how far, and after which events."""
        format_date = format_date or self._aps_format_date
        old_start, old_finish, new_start, new_finish = change
        hours = (new_finish - old_finish).total_seconds() / 3600.0
        if hours >= 0:
            moved = self.env._("%(hours)s h later", hours="%.1f" % hours)
        else:
            moved = self.env._("%(hours)s h earlier", hours="%.1f" % -hours)
        return self.env._(
            "Moved %(moved)s by %(run)s after: %(why)s. Start %(old_start)s → %(new_start)s, "
            "finish %(old_finish)s → %(new_finish)s.",
            moved=moved,
            run=run.name,
            why=why,
            old_start=format_date(old_start),
            new_start=format_date(new_start),
            old_finish=format_date(old_finish),
            new_finish=format_date(new_finish),
        )

    def _aps_format_date(self, value):
        return format_datetime(self.env, value, dt_format="short") if value else "—"

    def _aps_date_formatter(self):
        """``_aps_format_date`` with the user's language, format and time zone resolved once:
        ``format_datetime`` resolves them on every call, seconds over the four dates of each
        of 10,000 orders a first plan moves."""
        lang = get_lang(self.env)
        locale = babel_locale_parse(lang.code)
        pattern = "%s %s" % (
            posix_to_ldml(lang.date_format, locale=locale),
            posix_to_ldml(lang.time_format.replace(":%S", ""), locale=locale),
        )
        try:
            zone = pytz.timezone(self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            zone = pytz.utc

        def format_date(value):
            if not value:
                return "—"
            local = pytz.utc.localize(value).astimezone(zone)
            return babel.dates.format_datetime(local, pattern, locale=locale)

        return format_date

    def action_confirm(self):
        drafts = self.filtered(lambda mo: mo.state == "draft")
        result = super().action_confirm()
        drafts.filtered(lambda mo: mo.state == "confirmed")._aps_record_event(
            "production_confirmed"
        )
        return result

    def action_cancel(self):
        open_orders = self.filtered(lambda mo: mo.state not in ("done", "cancel", "draft"))
        result = super().action_cancel()
        open_orders.filtered(lambda mo: mo.state == "cancel")._aps_record_event(
            "production_cancelled"
        )
        return result

    def write(self, vals):
        if "product_qty" not in vals:
            return super().write(vals)
        before = {mo.id: mo.product_qty for mo in self if mo.state in ("confirmed", "progress")}
        result = super().write(vals)
        for production in self.filtered(lambda mo: mo.id in before):
            if production.product_uom_id.compare(production.product_qty, before[production.id]):
                production._aps_record_event(
                    "production_quantity",
                    before="%g" % before[production.id],
                    after="%g" % production.product_qty,
                )
        return result

    def _aps_record_event(self, kind, **values):
        for production in self:
            self.env["med.aps.plan.event"]._aps_record(
                kind, production.company_id, production_id=production.id, **values
            )

    def _compute_aps_plan_issue_note(self):
        """The problems the latest plan check of the order's company found for it, including
        those it shares with another order (an overlap of their work orders)."""
        issues = (
            self.env["med.aps.plan.issue"]
            .sudo()
            .search(
                [
                    "|",
                    ("production_id", "in", self.ids),
                    ("other_workorder_id.production_id", "in", self.ids),
                    ("check_id.company_id", "in", self.company_id.ids),
                ]
            )
        )
        by_production = {}
        for issue in issues:
            for production in issue.production_id | issue.other_workorder_id.production_id:
                by_production.setdefault(production.id, []).append(issue.message)
        for production in self:
            production.aps_plan_issue_note = "\n".join(by_production.get(production.id, []))

    @api.depends("aps_late_causes")
    def _compute_aps_late_reason(self):
        names = self._aps_late_cause_names()
        for production in self:
            production.aps_late_reason = production._aps_describe_late_causes(names) or False

    def _aps_late_cause_names(self):
        """Names of the work orders and work centers the late causes of these orders refer
        to: ``{"workorders": {id: name}, "workcenters": {id: name}}``, one read each."""
        workorder_ids, workcenter_ids = set(), set()
        for data in self.mapped("aps_late_causes"):
            for cause in (data or {}).get("causes") or []:
                workorder_ids.add(cause.get("workorder_id"))
                workcenter_ids.add(cause.get("workcenter_id"))
            workorder_ids.update((data or {}).get("chain") or [])
        names = {}
        for key, model, ids in (
            ("workorders", "mrp.workorder", workorder_ids),
            ("workcenters", "mrp.workcenter", workcenter_ids),
        ):
            records = self.env[model].sudo().browse([i for i in ids if i]).exists()
            names[key] = {record.id: record.name for record in records}
        return names

    def _aps_describe_late_causes(self, names):
        """The late causes in the reader's language, one line per cause, then the path."""
        self.ensure_one()
        data = self.aps_late_causes or {}
        lines = [self._aps_describe_late_cause(cause, names) for cause in data.get("causes") or []]
        chain = data.get("chain") or []
        if chain:
            workorders = names["workorders"]
            lines.append(
                self.env._(
                    "Critical path: %(path)s",
                    path=" → ".join(
                        "…" if wo_id is None else workorders.get(wo_id, "?") for wo_id in chain
                    ),
                )
            )
        return "\n".join(line for line in lines if line)

    def _aps_describe_late_cause(self, cause, names):
        """One cause in words; ``names`` from ``_aps_late_cause_names``."""
        kind = cause.get("kind")
        operation = names["workorders"].get(cause.get("workorder_id"), "?")
        if kind == "material":
            until = fields.Datetime.to_datetime(cause.get("until"))
            return self.env._(
                "Waits for components until %(date)s (%(operation)s).",
                date=format_datetime(self.env, until, dt_format="short") if until else "?",
                operation=operation,
            )
        if kind == "bottleneck":
            values = {
                "workcenter": names["workcenters"].get(cause.get("workcenter_id"), "?"),
                "operation": operation,
                "duration": self._aps_format_duration((cause.get("waited") or 0) / 60.0),
                "count": cause.get("ahead") or 0,
            }
            if cause.get("batches"):
                return self.env._(
                    "Queues at %(workcenter)s: %(operation)s waits %(duration)s behind "
                    "%(count)s batch cycles.",
                    **values,
                )
            return self.env._(
                "Queues at %(workcenter)s: %(operation)s waits %(duration)s behind "
                "%(count)s work orders.",
                **values,
            )
        if kind == "no_slack":
            until = fields.Datetime.to_datetime(cause.get("until"))
            return self.env._(
                "Not enough time: its operations alone need until %(date)s, even without waiting.",
                date=format_datetime(self.env, until, dt_format="short") if until else "?",
            )
        if kind == "due_before_release":
            return self.env._("The due date is before its components arrive.")
        return self.env._("Finishes after the deadline with the available capacity.")

    @api.depends("aps_late_reason")
    def _compute_aps_late_reason_line(self):
        for production in self:
            lines = (production.aps_late_reason or "").split("\n")
            production.aps_late_reason_line = " · ".join(
                line.strip() for line in lines if line.strip()
            )

    def action_aps_replan(self):
        """Replan the selected manufacturing orders (MO form button and list action)."""
        trigger = self.env.context.get("med_aps_trigger", "button")
        productions = self.filtered(lambda p: p.state in ("confirmed", "progress", "to_close"))
        if not productions:
            raise UserError(
                self.env._(
                    "Select at least one confirmed or in-progress manufacturing order to plan."
                )
            )
        companies = productions.company_id
        if len(companies) > 1:
            raise UserError(self.env._("Plan the manufacturing orders of one company at a time."))
        run = self.env["med.aps.run"].create(
            {
                "trigger": trigger,
                "company_id": companies.id,
                "production_ids": [fields.Command.set(productions.ids)],
            }
        )
        run.action_start()
        return run._get_form_action()

    def _aps_release_lead_minutes(self):
        """Minutes between the end of the last operation and the release of the product.

        Hook: the quality release bridge returns the product category's release lead time.
        """
        self.ensure_one()
        return 0

    def _aps_component_available_minutes(self, origin):
        """Earliest availability of the components of ``self``.

        Returns ``{stock.move id: minutes from origin}`` for the pending raw moves of the
        orders in ``self`` that are short on hand and covered later by an incoming receipt
        (the finished products of other pending orders count at their scheduled date).
        Raw moves fed by another pending manufacturing order are left out: the planner links
        them to that order (cross-order precedence). Stock of lots refused by
        ``stock.lot._aps_is_available_for_planning`` does not count as on hand.
        """
        return self._aps_component_supply(origin)[0]

    def _aps_component_supply(self, origin, planned_productions=None):
        """What the component moves of ``self`` wait for: ``(minutes, made_by)``.

        ``minutes`` is ``_aps_component_available_minutes``. Components covered by the
        finished product of an order of ``planned_productions`` (an order being planned in
        the same run, made to stock: no chained move) are in ``made_by`` instead, as
        ``{stock.move id: mrp.production id}``: the planner makes them wait for that order's
        planned finish, not its stored date. The supply is shared out
        by the consumers' priority, deadline and order, as for receipts.
        """
        planned_ids = set(planned_productions.ids) if planned_productions else set()
        result = {}
        made_by = {}
        moves = self.move_raw_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.product_id.is_storable
        )
        if not moves:
            return result, made_by
        made_by_mo = moves.filtered(
            lambda m: m.move_orig_ids.production_id.filtered(
                lambda p: p.state not in ("done", "cancel")
            )
        )
        moves -= made_by_mo
        if not moves:
            return result, made_by
        products = moves.product_id
        warehouses = moves.location_id.warehouse_id
        quant_domain = [
            ("product_id", "in", products.ids),
            ("location_id.usage", "=", "internal"),
        ]
        if warehouses:
            quant_domain.append(("location_id.warehouse_id", "in", warehouses.ids))
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                quant_domain,
                ["product_id", "lot_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        lots = self.env["stock.lot"].browse([lot.id for _p, lot, _q, _r in groups if lot])
        usable_lots = set(lots._aps_filter_available_for_planning().ids)
        on_hand = defaultdict(float)
        for product, lot, quantity, reserved in groups:
            if lot and lot.id not in usable_lots:
                continue
            on_hand[product.id] += quantity - reserved
        # reservations made for the moves being planned are part of their own supply
        for line in moves.move_line_ids:
            if line.lot_id and line.lot_id.id not in usable_lots:
                continue
            on_hand[line.product_id.id] += line.quantity_product_uom
        receipt_domain = [
            ("product_id", "in", products.ids),
            ("state", "not in", ("draft", "done", "cancel")),
            ("location_dest_id.usage", "=", "internal"),
            ("location_id.usage", "in", ("supplier", "inventory", "production", "transit")),
            ("raw_material_production_id", "=", False),
        ]
        if warehouses:
            receipt_domain.append(("location_dest_id.warehouse_id", "in", warehouses.ids))
        incoming = defaultdict(list)
        receipts = (
            self.env["stock.move"]
            .sudo()
            .search_read(
                receipt_domain,
                ["product_id", "product_qty", "date", "production_id"],
                order="date, id",
            )
        )
        for receipt in receipts:
            minutes = max(0, int((receipt["date"] - origin).total_seconds() // 60))
            producer = receipt["production_id"] and receipt["production_id"][0]
            incoming[receipt["product_id"][0]].append(
                (minutes, receipt["product_qty"], producer if producer in planned_ids else None)
            )

        def consumer_key(move):
            production = move.raw_material_production_id
            return (
                -int(production.priority or 0),
                production.date_deadline or datetime.max,
                production.id,
                move.id,
            )

        by_product = defaultdict(list)
        for move in moves.sorted(consumer_key):
            by_product[move.product_id.id].append(move)
        for product_id, product_moves in by_product.items():
            supply = [(0, on_hand[product_id], None)] + incoming[product_id]
            cumulative_demand = 0.0
            for move in product_moves:
                cumulative_demand += move.product_qty
                cumulative_supply = 0.0
                covered_by = None
                for entry in supply:
                    cumulative_supply += entry[1]
                    if cumulative_supply >= cumulative_demand - 1e-6:
                        covered_by = entry
                        break
                if covered_by is None:
                    continue
                available_at, _quantity, producer = covered_by
                if producer and producer != move.raw_material_production_id.id:
                    made_by[move.id] = producer
                elif available_at:
                    result[move.id] = available_at
        return result, made_by
