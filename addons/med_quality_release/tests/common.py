from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user
from odoo.tools import mute_logger


class MedStockCommon(TransactionCase):
    """Base of the shared fixtures (here and in the addons depending on this one): no mail
    tracking, the company and its warehouse's stock location."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id


class MedRpcMixin:
    """For an ``HttpCase``: calls over XML-RPC as a given user, to attack as a weaker group."""

    def rpc_password(self, user):
        """The password ``user`` logs in with (the login, as ``new_test_user`` sets it)."""
        return user.login

    def rpc(self, user, model, method, *args, context=None, **kwargs):
        """Call ``model.method`` over XML-RPC as ``user``."""
        if context is not None:
            kwargs["context"] = context
        # the endpoint's deprecation notice (Odoo 19) is not what these tests are about
        with mute_logger("odoo.addons.rpc.controllers.xmlrpc"):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                user.id,
                self.rpc_password(user),
                model,
                method,
                list(args),
                kwargs,
            )

    def assertRefused(self, message, user, model, method, *args, **kwargs):
        """The call is refused with ``message``; returns the whole refusal."""
        # the server logs each refused call as a warning: expected here
        with mute_logger("odoo.http"), self.assertRaises(Fault) as error:
            self.rpc(user, model, method, *args, **kwargs)
        self.assertIn(message, error.exception.faultString)
        return error.exception.faultString


class MedQualityCommon(MedStockCommon):
    """Shared fixture: a controlled category, a component and a finished device,
    a BoM, control points and the three kinds of users."""

    MANAGER_PASSWORD = "qa-manager-Pw-2026"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.partner = cls.env["res.partner"].create({"name": "Sterile Parts Ltd"})

        cls.inspector = new_test_user(
            cls.env,
            login="qr_inspector",
            name="Ines Inspector",
            groups="med_quality_release.group_qa_inspector,mrp.group_mrp_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="qr_manager",
            name="Marta Manager",
            password=cls.MANAGER_PASSWORD,
            tz="Europe/Berlin",
            groups="med_quality_release.group_qa_manager,mrp.group_mrp_user,"
            "stock.group_stock_manager",
        )
        cls.stock_user = new_test_user(
            cls.env,
            login="qr_stock_user",
            name="Stan Stock",
            groups="stock.group_stock_user,mrp.group_mrp_user",
        )

        cls.category = cls.env["product.category"].create(
            {
                "name": "Controlled devices",
                "med_quarantine_on_receipt": True,
                "med_quarantine_on_production": True,
                "med_block_consumption": True,
                "med_release_lead_minutes": 180,
            }
        )
        cls.component = cls.env["product.product"].create(
            {
                "name": "Sterile pouch",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": cls.category.id,
            }
        )
        cls.device = cls.env["product.product"].create(
            {
                "name": "Catheter kit",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": cls.category.id,
            }
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.device.product_tmpl_id.id,
                "product_qty": 1.0,
                "bom_line_ids": [
                    Command.create({"product_id": cls.component.id, "product_qty": 1})
                ],
            }
        )
        cls.receipt_point = cls.env["med.quality.point"].create(
            {
                "name": "Pouch visual inspection",
                "trigger": "receipt",
                "test_type": "passfail",
                "sampling": "iso2859",
                "inspection_level": "II",
                "aql": "0.65",
                "product_ids": [Command.set(cls.component.ids)],
            }
        )
        cls.final_point = cls.env["med.quality.point"].create(
            {
                "name": "Seal strength",
                "trigger": "production",
                "test_type": "measure",
                "measure_unit": "N",
                "norm_min": 6.0,
                "norm_max": 12.0,
                "sampling": "fixed",
                "sample_qty": 5,
                "product_ids": [Command.set(cls.device.ids)],
            }
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def quantity(self, product, lot=None, location=None):
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", (location or self.stock_location).id),
                ("lot_id", "=", lot.id if lot else False),
            ]
        )
        return sum(quants.mapped("quantity"))

    def receive(self, product, lot_name, qty):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": self.partner.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.write({"lot_name": lot_name, "quantity": qty})
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking, picking.move_line_ids.lot_id

    def produce(self, qty, lot_name):
        production = self.env["mrp.production"].create(
            {"product_id": self.device.id, "bom_id": self.bom.id, "product_qty": qty}
        )
        production.action_confirm()
        production.action_assign()
        production.lot_producing_ids = self.env["stock.lot"].create(
            {"name": lot_name, "product_id": self.device.id}
        )
        production.qty_producing = qty
        production.set_qty_producing()
        production.move_raw_ids.picked = True
        return production

    def deliver(self, lot, qty):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.partner.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": qty,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        if not picking.move_ids.move_line_ids:
            picking.move_ids.write(
                {
                    "move_line_ids": [
                        Command.create(
                            {
                                "product_id": lot.product_id.id,
                                "lot_id": lot.id,
                                "quantity": qty,
                                "location_id": self.stock_location.id,
                                "location_dest_id": self.customer_location.id,
                            }
                        )
                    ]
                }
            )
        picking.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": qty})
        picking.move_ids.picked = True
        return picking

    def record_pass(self, checks, **values):
        for check in checks.with_user(self.inspector):
            if values:
                check.write(values)
            if check.test_type == "measure":
                check.action_record_measure()
            else:
                check.action_pass()

    def sign(self, record, action, password=None, comment="Reviewed the records", user=None):
        user = user or self.manager
        Wizard = self.env["med.signature.wizard"].with_user(user)
        action_dict = (
            record.with_user(user).action_med_quality_release()
            if action == "release"
            else record.with_user(user).action_med_quality_reject()
            if action == "reject"
            else record.with_user(user).action_close()
            if action == "close_nc"
            else record.with_user(user).action_review()
        )
        wizard = Wizard.browse(action_dict["res_id"])
        wizard.comment = comment
        return wizard.with_context(
            password=self.MANAGER_PASSWORD if password is None else password
        ).action_sign()


class MedQualityRpcCase(MedRpcMixin, HttpCase, MedQualityCommon):
    """The shared fixture, attacked over XML-RPC as the users of each group."""

    def rpc_password(self, user):
        return self.MANAGER_PASSWORD if user == self.manager else super().rpc_password(user)
