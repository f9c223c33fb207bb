from odoo import Command, api, models


class MedTraceDemo(models.AbstractModel):
    """Builds the demo story through Odoo's own stock and manufacturing flows.

    Called from the demo data only. The records are real: receipts, manufacturing orders and
    deliveries are validated with their lots, so genealogy, recall and DHR read them as they
    read a plant's records. The helpers are reused by the demo of med_quality_release.
    """

    _name = "med.trace.demo"
    _description = "Traceability Demo Story"

    # ------------------------------------------------------------------ flows
    @api.model
    def _med_demo_warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    @api.model
    def _med_demo_transfer(
        self, picking_type, source, destination, product, lot, quantity, partner
    ):
        """A validated transfer of ``quantity`` of ``lot``, line by line as a user picks it."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": lot.name,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._med_demo_set_lines(picking.move_ids, {product: lot})
        picking.button_validate()
        return picking

    @api.model
    def _med_demo_receive(self, product, lot, quantity, partner):
        """A validated receipt of ``quantity`` of ``lot`` from ``partner``."""
        warehouse = self._med_demo_warehouse()
        return self._med_demo_transfer(
            warehouse.in_type_id,
            self.env.ref("stock.stock_location_suppliers"),
            warehouse.lot_stock_id,
            product,
            lot,
            quantity,
            partner,
        )

    @api.model
    def _med_demo_set_lines(self, moves, lots):
        """One move line per move with the lot chosen for its product, all picked."""
        for move in moves:
            lot = lots.get(move.product_id)
            if not lot:
                continue
            move.move_line_ids.unlink()
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": move.picking_id.id,
                    "product_id": move.product_id.id,
                    "lot_id": lot.id,
                    "quantity": move.product_uom_qty,
                    "product_uom_id": move.product_uom.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picked": True,
                }
            )

    @api.model
    def _med_demo_production(self, bom, quantity, lot, components, origin=False):
        """A confirmed manufacturing order making ``lot`` from the component lots
        ``components`` ({product: lot}), ready to be produced."""
        production = self.env["mrp.production"].create(
            {
                "product_id": bom.product_id.id,
                "product_qty": quantity,
                "bom_id": bom.id,
                "origin": origin or lot.name,
            }
        )
        production.action_confirm()
        production.lot_producing_ids = lot
        production.qty_producing = quantity
        production.set_qty_producing()
        self._med_demo_set_lines(production.move_raw_ids, components)
        return production

    @api.model
    def _med_demo_produce(self, bom, quantity, lot, components, origin=False):
        production = self._med_demo_production(bom, quantity, lot, components, origin)
        production.button_mark_done()
        return production

    @api.model
    def _med_demo_deliver(self, product, lot, quantity, partner):
        """A validated delivery of ``quantity`` of ``lot`` to ``partner``."""
        warehouse = self._med_demo_warehouse()
        return self._med_demo_transfer(
            warehouse.out_type_id,
            warehouse.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            product,
            lot,
            quantity,
            partner,
        )

    # ------------------------------------------------------------------ the story
    @api.model
    def _med_demo_genealogy_story(self):
        """Resin lot -> molded barrels -> syringe kits -> deliveries to two hospitals, and
        the recall analysis that finds both hospitals from the resin lot."""
        ref = self.env.ref
        resin, barrel, kit = (
            ref("med_trace.demo_product_pp_resin"),
            ref("med_trace.demo_product_syringe_barrel"),
            ref("med_trace.demo_product_syringe_kit"),
        )
        resin_lot = ref("med_trace.demo_lot_pp_resin")
        barrel_lot = ref("med_trace.demo_lot_syringe_barrel")
        kit_lot_a = ref("med_trace.demo_lot_syringe_kit_a")
        kit_lot_b = ref("med_trace.demo_lot_syringe_kit_b")
        st_mary = ref("med_trace.demo_partner_st_mary")
        riverside = ref("med_trace.demo_partner_riverside")

        self._med_demo_receive(resin, resin_lot, 25.0, ref("med_trace.demo_partner_resin_vendor"))
        self._med_demo_produce(
            ref("med_trace.demo_bom_syringe_barrel"), 2000, barrel_lot, {resin: resin_lot}
        )
        bom_kit = ref("med_trace.demo_bom_syringe_kit")
        self._med_demo_produce(bom_kit, 800, kit_lot_a, {barrel: barrel_lot})
        self._med_demo_produce(bom_kit, 800, kit_lot_b, {barrel: barrel_lot})
        self._med_demo_deliver(kit, kit_lot_a, 300, st_mary)
        self._med_demo_deliver(kit, kit_lot_b, 400, riverside)
        self._med_demo_deliver(kit, kit_lot_a, 200, riverside)

        recall = self.env["med.recall"].create(
            {
                "mode": "lots",
                "reason": self.env._(
                    "The resin supplier reports particles in polypropylene lot %(lot)s: find "
                    "every device made from it and every hospital that received one.",
                    lot=resin_lot.name,
                ),
                "suspect_lot_ids": [Command.set(resin_lot.ids)],
            }
        )
        recall.action_compute()
        return recall
