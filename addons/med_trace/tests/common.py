from odoo import Command
from odoo.tests import Form, TransactionCase


class MedTraceCommon(TransactionCase):
    """A three-level device built from lots.

    RAW lot ``R1`` (10 received from the supplier) -> MO_S makes 3 SUB lot
    ``S1`` from 6 R1 -> MO_F makes 2 FIN lot ``F1`` from 2 S1 -> 1 F1 is
    delivered to the customer. On hand afterwards: R1 4, S1 1, F1 1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.uom_unit = cls.env.ref("uom.product_uom_unit")
        cls.supplier = cls.env["res.partner"].create({"name": "Sterile Polymers Ltd"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "St. Mary Hospital", "email": "purchasing@stmary.example", "city": "Lyon"}
        )
        cls.raw = cls._create_product("Medical PVC resin", "RAW-PVC")
        cls.sub = cls._create_product("Tubing set", "SUB-TUBE")
        cls.fin = cls._create_product("Infusion set", "FIN-INF", gtin="09506000134352", expiry=True)
        cls.bom_sub = cls._create_bom(cls.sub, [(cls.raw, 2)])
        cls.bom_fin = cls._create_bom(cls.fin, [(cls.sub, 1)])

        cls.lot_r1 = cls._create_lot(cls.raw, "R1")
        cls.lot_s1 = cls._create_lot(cls.sub, "S1")
        cls.lot_f1 = cls._create_lot(cls.fin, "F1")
        cls.receipt = cls._receive(cls.raw, cls.lot_r1, 10)
        cls.mo_sub = cls._produce(cls.bom_sub, 3, cls.lot_s1)
        cls.mo_fin = cls._produce(cls.bom_fin, 2, cls.lot_f1)
        cls.delivery = cls._deliver(cls.fin, 1)

    @classmethod
    def _create_product(cls, name, code, tracking="lot", gtin=False, expiry=False):
        if gtin:
            # the database may already hold a product with this GTIN (rolled back after)
            cls.env["product.template"].with_context(active_test=False).search(
                [("med_gtin", "in", [gtin, gtin.zfill(14)])]
            ).write({"med_gtin": False})
            cls.env.flush_all()
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "is_storable": True,
                "tracking": tracking,
                "uom_id": cls.uom_unit.id,
                "med_gtin": gtin,
                "use_expiration_date": expiry,
                "expiration_time": 365 if expiry else 0,
            }
        )

    @classmethod
    def _create_bom(cls, product, lines):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_id": product.id,
                "product_qty": 1,
                "type": "normal",
                "bom_line_ids": [
                    Command.create({"product_id": comp.id, "product_qty": qty})
                    for comp, qty in lines
                ],
            }
        )

    @classmethod
    def _create_lot(cls, product, name):
        return cls.env["stock.lot"].create({"name": name, "product_id": product.id})

    @classmethod
    def _receive(cls, product, lot, quantity, partner=None):
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.in_type_id.id,
                "partner_id": (partner or cls.supplier).id,
                "location_id": cls.supplier_location.id,
                "location_dest_id": cls.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": cls.supplier_location.id,
                            "location_dest_id": cls.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return cls._validate_lot_move(picking, lot, quantity)

    @classmethod
    def _produce(cls, bom, quantity, lot):
        production = cls.env["mrp.production"].create(
            {
                "product_id": bom.product_id.id,
                "product_qty": quantity,
                "bom_id": bom.id,
            }
        )
        production.action_confirm()
        production.action_assign()
        production.lot_producing_ids = lot
        production.qty_producing = quantity
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        return production

    @classmethod
    def _produce_without_bom(cls, product, quantity, lot, components):
        form = Form(cls.env["mrp.production"])
        form.product_id = product
        form.bom_id = cls.env["mrp.bom"]
        form.product_qty = quantity
        for component, qty in components:
            with form.move_raw_ids.new() as move:
                move.product_id = component
                move.product_uom_qty = qty
        production = form.save()
        production.action_confirm()
        production.action_assign()
        production.lot_producing_ids = lot
        production.qty_producing = quantity
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        result = production.button_mark_done()
        if isinstance(result, dict):
            raise AssertionError("MO %s not done: %s" % (production.name, result))
        return production

    @classmethod
    def _delivery_picking(cls, product, quantity, partner=None):
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.out_type_id.id,
                "partner_id": (partner or cls.customer).id,
                "location_id": cls.stock_location.id,
                "location_dest_id": cls.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": cls.stock_location.id,
                            "location_dest_id": cls.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    @classmethod
    def _deliver(cls, product, quantity, partner=None):
        picking = cls._delivery_picking(product, quantity, partner)
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    @classmethod
    def _build_catheter_genealogy(cls):
        """A raw lot whose intermediate lots are all used up, for the recall tests.

        RAW lot ``CR`` (8 received) -> 2 SUB lot ``CS1`` from 4 CR -> 2 FIN lot ``CF1``
        from 2 CS1, both delivered to St. Mary Hospital; 2 SUB lot ``CS2`` from the other
        4 CR -> 2 FIN lot ``CF2`` from 2 CS2, one delivered to Lyon Clinic. On hand
        afterwards: CF2 1 (CR, CS1, CS2 and CF1 0).
        """
        cls.cath_raw = cls._create_product("Catheter resin", "RAW-CATH")
        cls.cath_sub = cls._create_product("Catheter tube", "SUB-CATH")
        cls.cath_fin = cls._create_product("Catheter kit", "FIN-CATH")
        bom_sub = cls._create_bom(cls.cath_sub, [(cls.cath_raw, 2)])
        bom_fin = cls._create_bom(cls.cath_fin, [(cls.cath_sub, 1)])
        cls.clinic = cls.env["res.partner"].create({"name": "Lyon Clinic"})
        cls.lot_cr = cls._create_lot(cls.cath_raw, "CR")
        cls.lot_cs1 = cls._create_lot(cls.cath_sub, "CS1")
        cls.lot_cf1 = cls._create_lot(cls.cath_fin, "CF1")
        cls.lot_cs2 = cls._create_lot(cls.cath_sub, "CS2")
        cls.lot_cf2 = cls._create_lot(cls.cath_fin, "CF2")
        cls._receive(cls.cath_raw, cls.lot_cr, 8)
        # each order below finds only the lot it must consume in stock
        cls._produce(bom_sub, 2, cls.lot_cs1)
        cls._produce(bom_fin, 2, cls.lot_cf1)
        cls.cath_delivery_1 = cls._ship_lot(cls.cath_fin, cls.lot_cf1, 2, cls.customer)
        cls._produce(bom_sub, 2, cls.lot_cs2)
        cls._produce(bom_fin, 2, cls.lot_cf2)
        cls.cath_delivery_2 = cls._ship_lot(cls.cath_fin, cls.lot_cf2, 1, cls.clinic)

    @classmethod
    def _ship_lot(cls, product, lot, quantity, partner):
        """Deliver ``quantity`` of ``lot`` to ``partner``."""
        picking = cls._delivery_picking(product, quantity, partner)
        return cls._validate_lot_move(picking, lot, quantity)

    @classmethod
    def _validate_lot_move(cls, picking, lot, quantity):
        """Validate ``picking`` (one move) moving ``quantity`` of ``lot`` along its move."""
        move = picking.move_ids
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": move.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        picking.button_validate()
        return picking

    def _quant_qty(self, lot, location=None):
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", (location or self.stock_location).id)]
        )
        return sum(quants.mapped("quantity"))
