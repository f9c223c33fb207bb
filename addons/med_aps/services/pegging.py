"""Peg every component requirement of the planned orders to the supply that covers it.

After a run has written its plan, each pending component move (``stock.move`` of an order's
``move_raw_ids``) is needed when the work order consuming it starts in the plan. The
requirements of a product and warehouse are taken in the order the plan needs them and
covered, in this order, by

1. the manufacturing order the move is linked to (``move_orig_ids``, procurement's link),
2. stock on hand, lot by lot, first expiring first (FEFO; a lot expiring before the need
   covers nothing) and only lots ``stock.lot._aps_filter_available_for_planning`` accepts
   (the quality release bridge: released lots only),
3. incoming receipts and the finished moves of other pending orders, earliest first.

What nothing covers is pegged to no supply (a shortage). The same reading of supply as the
problem builder's (``mrp.production._aps_component_available_minutes``), so the pegs explain
the release dates the engine planned with.

The plan's dates come from the work orders as written (``WrittenPlan``), or from a
simulation's plan kept on its run (``SimulatedPlan``): a simulation is pegged in memory
(``MaterialPegging.peg_vals``) and nothing of the real plan's pegs changes.
"""

from collections import defaultdict
from datetime import timedelta

from .problem_builder import PENDING_MO_STATES

QTY_EPSILON = 1e-6
# a supply arriving less than this after the date the plan wants it is on time
ON_TIME_TOLERANCE = timedelta(minutes=1)


def receipt_domain(company, products):
    """The pending incoming moves of ``products`` into the company's stock: planned receipts
    (of a purchase or not)."""
    return [
        ("product_id", "in", products.ids),
        ("company_id", "=", company.id),
        ("state", "not in", ("draft", "done", "cancel")),
        ("location_dest_id.usage", "=", "internal"),
        ("location_id.usage", "in", ("supplier", "inventory", "transit")),
        ("raw_material_production_id", "=", False),
        ("production_id", "=", False),
    ]


class _Supply:
    """One source of a product that requirements draw from."""

    __slots__ = ("kind", "date", "expires", "quantity", "lot_id", "move_id", "production_id")

    def __init__(
        self, kind, date, quantity, lot_id=None, move_id=None, production_id=None, expires=None
    ):
        self.kind = kind
        self.date = date
        self.quantity = quantity
        self.lot_id = lot_id
        self.move_id = move_id
        self.production_id = production_id
        self.expires = expires


class WrittenPlan:
    """The dates of the plan written into the work orders and orders."""

    def workorder_start(self, workorder):
        return workorder.date_start

    def production_release(self, production):
        """When the plan releases the order's product (its last operation's end and the
        holds after it); None for an order the plan does not date."""
        return production.aps_planned_finish or None

    def production_tardiness_hours(self, production):
        return production.aps_tardiness_hours or 0.0

    def production_deadline(self, production):
        return production.date_deadline or None


class SimulatedPlan(WrittenPlan):
    """The dates of a plan in the engine's format that was not written (a simulation's):
    the plan's dates for the work orders and orders it holds, the written ones for the
    others. The orders' finish is the one ``PlanWriter`` would write (last operation's end
    plus the holds after it)."""

    def __init__(self, scope, plan):
        self.starts = {}
        spans = {}
        for op in plan.get("operations") or []:
            key = op["op"]
            if key.startswith("WO/"):
                self.starts[int(key[3:])] = scope.to_datetime(op["start"])
            if op["job"].startswith("MO/"):
                production_id = int(op["job"][3:])
                spans[production_id] = max(spans.get(production_id, op["end"]), op["end"])
        self.finishes = {
            production_id: scope.to_datetime(end + scope.finish_offset.get(production_id, 0))
            for production_id, end in spans.items()
        }
        self.tardiness_hours = {}
        # the deadlines the plan was made for (a scenario may change them)
        self.deadlines = {}
        for job in plan.get("jobs") or []:
            if not job["job"].startswith("MO/"):
                continue
            production_id = int(job["job"][3:])
            self.tardiness_hours[production_id] = (job.get("tardiness") or 0) / 60.0
            if job.get("due") is not None:
                # the job is due when its last operation must end: the holds come after
                offset = scope.finish_offset.get(production_id, 0)
                self.deadlines[production_id] = scope.to_datetime(job["due"] + offset)

    def workorder_start(self, workorder):
        if workorder.id in self.starts:
            return self.starts[workorder.id]
        return super().workorder_start(workorder)

    def production_release(self, production):
        if production.id in self.finishes:
            return self.finishes[production.id]
        return super().production_release(production)

    def production_tardiness_hours(self, production):
        if production.id in self.tardiness_hours:
            return self.tardiness_hours[production.id]
        return super().production_tardiness_hours(production)

    def production_deadline(self, production):
        if production.id in self.tardiness_hours:
            return self.deadlines.get(production.id)
        return super().production_deadline(production)


class MaterialPegging:
    """Compute the pegs (``med.aps.peg`` values) of a company after a run.

    :param plan: the plan's dates, ``WrittenPlan`` (default) or ``SimulatedPlan``
    """

    def __init__(self, run, origin, plan=None):
        self.run = run
        self.env = run.env
        self.origin = origin
        self.company = run.company_id
        self.plan = plan or WrittenPlan()

    # ------------------------------------------------------------------ entry point
    def peg_vals(self):
        """The values of the pegs of this run's plan, computed in memory (nothing written)."""
        requirements = self._requirements()
        if not requirements:
            return []
        consumers = self._consumers(requirements)
        start_of = self.plan.workorder_start
        moves = requirements.sorted(lambda m: (start_of(consumers[m.id]), m.id))
        warehouse_of = {m.id: m.location_id.warehouse_id.id for m in moves}
        keys = {(m.product_id.id, warehouse_of[m.id]) for m in moves}
        on_hand = self._on_hand(moves, keys)
        incoming = self._incoming(moves, keys)
        vals_list = []
        for move in moves:
            key = (move.product_id.id, warehouse_of[move.id])
            origins = set(move.move_orig_ids.ids)
            linked = [s for s in incoming[key] if s.move_id in origins]
            pools = (linked, on_hand[key], incoming[key])
            vals_list += self._peg_move(move, consumers[move.id], pools)
        return vals_list

    # ------------------------------------------------------------------ demand
    def _requirements(self):
        """Pending component moves of the company's pending orders with planned pending
        work."""
        start_of = self.plan.workorder_start
        return (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("raw_material_production_id.company_id", "=", self.company.id),
                    ("raw_material_production_id.state", "in", PENDING_MO_STATES),
                    ("state", "not in", ("done", "cancel")),
                    ("product_id.is_storable", "=", True),
                    ("product_qty", ">", 0),
                ]
            )
            .filtered(
                lambda m: m.raw_material_production_id.workorder_ids.filtered(
                    lambda wo: wo.state not in ("done", "cancel") and start_of(wo)
                )
            )
        )

    def _consumers(self, moves):
        """{move id: the work order consuming it}: its own work order when pending, else the
        order's first pending work order in the plan."""
        start_of = self.plan.workorder_start
        consumers = {}
        for move in moves:
            pending = move.raw_material_production_id.workorder_ids.filtered(
                lambda wo: wo.state not in ("done", "cancel") and start_of(wo)
            )
            if move.workorder_id in pending:
                consumers[move.id] = move.workorder_id
            else:
                consumers[move.id] = pending.sorted(lambda wo: (start_of(wo), wo.id))[:1]
        return consumers

    # ------------------------------------------------------------------ supply
    def _on_hand(self, moves, keys):
        """{(product, warehouse): [_Supply]} of stock on hand, first expiring first."""
        env = self.env
        products = moves.product_id
        groups = (
            env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "=", self.company.id),
                ],
                ["product_id", "lot_id", "location_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        lots = env["stock.lot"].browse({lot.id for _p, lot, _l, _q, _r in groups if lot})
        usable = set(lots._aps_filter_available_for_planning().ids)
        free = defaultdict(float)
        for product, lot, location, quantity, reserved in groups:
            if lot and lot.id not in usable:
                continue
            free[(product.id, location.warehouse_id.id, lot.id)] += quantity - reserved
        # what is reserved for the requirements themselves is part of their supply
        for line in moves.move_line_ids:
            if line.lot_id and line.lot_id.id not in usable:
                continue
            key = (line.product_id.id, line.location_id.warehouse_id.id, line.lot_id.id)
            free[key] += line.quantity_product_uom
        expiry = {}
        if "expiration_date" in env["stock.lot"]._fields:
            # one read of every lot's expiry, not one query per lot
            lot_ids = {lot_id for (_product, _warehouse, lot_id) in free if lot_id}
            expiry = {lot.id: lot.expiration_date for lot in env["stock.lot"].browse(lot_ids)}
        supplies = defaultdict(list)
        for (product_id, warehouse_id, lot_id), quantity in free.items():
            if (product_id, warehouse_id) not in keys or quantity <= QTY_EPSILON:
                continue
            supplies[(product_id, warehouse_id)].append(
                _Supply(
                    "stock",
                    None,
                    quantity,
                    lot_id=lot_id or None,
                    expires=expiry.get(lot_id) or None,
                )
            )
        for pool in supplies.values():
            # first expiring first, lots without expiry then stock without lot last
            pool.sort(key=lambda s: (s.expires is None, s.expires or self.origin, s.lot_id or 0))
        return supplies

    def _incoming(self, moves, keys):
        """{(product, warehouse): [_Supply]} of receipts and of finished products of pending
        orders, earliest first."""
        env = self.env
        Move = env["stock.move"].sudo()
        products = moves.product_id
        supplies = defaultdict(list)
        receipts = Move.search(receipt_domain(self.company, products))
        for receipt in receipts:
            key = (receipt.product_id.id, receipt.location_dest_id.warehouse_id.id)
            if key in keys:
                supplies[key].append(
                    _Supply("receipt", receipt.date, receipt.product_qty, move_id=receipt.id)
                )
        finished = Move.search(
            [
                ("product_id", "in", products.ids),
                ("production_id.company_id", "=", self.company.id),
                ("production_id.state", "in", PENDING_MO_STATES),
                ("state", "not in", ("done", "cancel")),
            ]
        )
        for move in finished:
            production = move.production_id
            key = (move.product_id.id, move.location_dest_id.warehouse_id.id)
            if key not in keys:
                continue
            # the plan's release already counts the release lead after the last operation
            released = self.plan.production_release(production)
            if not released:
                lead = max(0, int(production._aps_release_lead_minutes() or 0))
                released = production.date_finished + timedelta(minutes=lead)
            supplies[key].append(
                _Supply(
                    "production",
                    released,
                    move.product_qty,
                    move_id=move.id,
                    production_id=production.id,
                )
            )
        for pool in supplies.values():
            pool.sort(key=lambda s: (s.date, s.move_id))
        return supplies

    # ------------------------------------------------------------------ allocation
    def _peg_move(self, move, consumer, pools):
        """The pegs of one requirement: its quantity drawn from ``pools`` in turn, the rest
        pegged to no supply."""
        date_needed = self.plan.workorder_start(consumer)
        remaining = move.product_qty
        pegs = []
        for pool in pools:
            for supply in pool:
                if remaining <= QTY_EPSILON:
                    break
                if supply.quantity <= QTY_EPSILON:
                    continue
                if supply.expires and supply.expires < date_needed:
                    continue
                quantity = min(remaining, supply.quantity)
                supply.quantity -= quantity
                remaining -= quantity
                pegs.append(self._peg_vals(move, consumer, quantity, supply))
        if remaining > QTY_EPSILON:
            pegs.append(self._peg_vals(move, consumer, remaining, None))
        return pegs

    def _peg_vals(self, move, consumer, quantity, supply):
        """The values of one peg, with its state and the delay its supply causes.

        The plan wants a supply by the order's planned start less its lateness (an order on
        time wants it when it starts); a supply after that delays the order by the
        difference. A shortage is available at the earliest after the vendor's lead time.
        """
        production = move.raw_material_production_id
        date_needed = self.plan.workorder_start(consumer)
        late_by = timedelta(hours=self.plan.production_tardiness_hours(production))
        date_wanted = max(self.origin, date_needed - late_by)
        vals = {
            "run_id": self.run.id,
            "company_id": self.company.id,
            "production_id": production.id,
            "move_id": move.id,
            "workorder_id": consumer.id,
            "product_id": move.product_id.id,
            "quantity": quantity,
            "date_needed": date_needed,
            "date_wanted": date_wanted,
        }
        if supply is None:
            earliest = self.origin + timedelta(days=move.product_id._aps_supply_lead_days())
            vals.update(
                supply_kind="none",
                state="missing",
                delay_hours=_hours(earliest - date_wanted),
            )
            return vals
        date_supply = supply.date or self.origin
        vals.update(
            supply_kind=supply.kind,
            lot_id=supply.lot_id or False,
            supply_move_id=supply.move_id or False,
            supply_production_id=supply.production_id or False,
            date_supply=supply.date or False,
            delay_hours=_hours(date_supply - date_wanted) if supply.date else 0.0,
        )
        if supply.date is None or date_supply <= self.origin:
            vals["state"] = "covered"
        elif date_supply > date_needed + ON_TIME_TOLERANCE:
            vals["state"] = "late"
        else:
            vals["state"] = "waiting"
        vals["wait_hours"] = _hours(date_supply - self.origin)
        return vals


def _hours(delta):
    """Positive hours of a timedelta (0 when negative), to the minute."""
    seconds = delta.total_seconds()
    return round(seconds / 3600.0, 2) if seconds > 60 else 0.0
