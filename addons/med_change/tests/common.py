from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user

from odoo.addons.med_quality_release.tests.common import MedRpcMixin, MedStockCommon


class MedChangeCommon(MedStockCommon):
    """Shared fixture: a device made of two components on one work center, its BoM
    (version 1) and the users of each group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engineer = new_test_user(
            cls.env,
            login="chg_engineer",
            name="Erik Engineer",
            groups="med_change.group_change_engineer",
        )
        cls.qa_manager = new_test_user(
            cls.env,
            login="chg_qa_manager",
            name="Quinn Quality",
            groups="med_quality_release.group_qa_manager,mrp.group_mrp_user",
        )
        cls.inspector = new_test_user(
            cls.env,
            login="chg_inspector",
            name="Ines Inspector",
            groups="med_quality_release.group_qa_inspector,mrp.group_mrp_user",
        )
        cls.mrp_user = new_test_user(
            cls.env, login="chg_mrp_user", name="Mona Maker", groups="mrp.group_mrp_user"
        )
        cls.mrp_manager = new_test_user(
            cls.env,
            login="chg_mrp_manager",
            name="Max Planner",
            groups="mrp.group_mrp_manager,stock.group_stock_user",
        )
        cls.workcenter = cls.env["mrp.workcenter"].create(
            {"name": "Balloon molding", "time_start": 0, "time_stop": 0}
        )
        cls.silicone = cls.env["product.product"].create(
            {"name": "Silicone (test)", "is_storable": True}
        )
        cls.valve = cls.env["product.product"].create({"name": "Valve (test)", "is_storable": True})
        cls.device = cls.env["product.product"].create(
            {"name": "Catheter (test)", "is_storable": True, "tracking": "lot"}
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.device.product_tmpl_id.id,
                "product_qty": 1.0,
                "bom_line_ids": [Command.create({"product_id": cls.silicone.id, "product_qty": 3})],
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Mold balloon",
                            "workcenter_id": cls.workcenter.id,
                            "time_mode": "manual",
                            "time_cycle_manual": 30,
                        }
                    )
                ],
            }
        )
        for product in (cls.silicone, cls.valve):
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 100)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def new_request(self, **values):
        return (
            self.env["med.change.request"]
            .with_user(self.engineer)
            .create(
                dict(
                    {
                        "title": "Less silicone, a valve",
                        "change_type": "bom",
                        "reason": "Design change DC-1",
                        "old_bom_id": self.bom.id,
                        "effective_date": fields.Datetime.now() - timedelta(minutes=1),
                    },
                    **values,
                )
            )
        )

    def prepare_new_version(self, request):
        """New version: 2 silicone instead of 3, a valve added, molding 25 instead of 30 min."""
        request.with_user(self.engineer).action_create_new_version()
        new_bom = request.new_bom_id.with_user(self.engineer)
        new_bom.bom_line_ids.product_qty = 2
        new_bom.write(
            {"bom_line_ids": [Command.create({"product_id": self.valve.id, "product_qty": 1})]}
        )
        new_bom.operation_ids.time_cycle_manual = 25
        return new_bom

    def sign(self, request, role, user=None, password=None, comment="Reviewed impact and version"):
        user = user or (self.engineer if role == "engineering" else self.qa_manager)
        action = (
            request.with_user(user).action_approve_engineering()
            if role == "engineering"
            else request.with_user(user).action_approve_quality()
        )
        wizard = self.env["med.change.sign.wizard"].with_user(user).browse(action["res_id"])
        return wizard._med_sign(user.login if password is None else password, comment)

    def production(self, bom=None, confirm=True):
        values = {"product_id": self.device.id, "product_qty": 1}
        if bom:
            values["bom_id"] = bom.id
        production = self.env["mrp.production"].create(values)
        if confirm:
            production.action_confirm()
        return production


class MedChangeRpcCase(MedRpcMixin, HttpCase, MedChangeCommon):
    """The shared fixture, attacked over XML-RPC as the users of each group."""
