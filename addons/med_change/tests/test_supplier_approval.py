from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MedChangeCommon


@tagged("post_install", "-at_install")
class TestSupplierApproval(MedChangeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tubing = cls.env["product.product"].create(
            {"name": "Tubing (test)", "is_storable": True, "tracking": "lot"}
        )
        cls.good_vendor = cls.env["res.partner"].create(
            {"name": "Good Tubes Inc", "is_company": True}
        )
        cls.bad_vendor = cls.env["res.partner"].create(
            {"name": "Cheap Tubes Ltd", "is_company": True}
        )
        Approval = cls.env["med.supplier.approval"].with_user(cls.qa_manager)
        cls.approved = Approval.create(
            {
                "product_tmpl_id": cls.tubing.product_tmpl_id.id,
                "partner_id": cls.good_vendor.id,
                "status": "approved",
                "evidence": "Audit 2026-01",
            }
        )
        cls.disqualified = Approval.create(
            {
                "product_tmpl_id": cls.tubing.product_tmpl_id.id,
                "partner_id": cls.bad_vendor.id,
                "status": "disqualified",
                "evidence": "Failed audit 2026-02: no cleanroom records",
            }
        )

    def receive(self, partner, lot_name):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": partner.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.tubing.id,
                            "product_uom_qty": 10,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.write({"lot_name": lot_name, "quantity": 10})
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking, picking.move_line_ids.lot_id

    def test_receipt_from_disqualified_supplier_is_quarantined(self):
        picking, lot = self.receive(self.bad_vendor, "TUBE-BAD-1")
        self.assertEqual(lot.med_release_decision, "quarantine")
        nc = lot.med_nc_ids
        self.assertEqual(len(nc), 1)
        self.assertRecordValues(
            nc,
            [
                {
                    "state": "open",
                    "med_supplier_id": self.bad_vendor.id,
                    "product_id": self.tubing.id,
                    "picking_id": picking.id,
                }
            ],
        )
        self.assertIn("Cheap Tubes Ltd", nc.description)
        self.assertIn("Tubing (test)", nc.description)
        self.assertIn("Disqualified", nc.description)
        for usage in ("consume", "deliver"):
            reasons = lot._med_blocking_reasons(usage)
            self.assertIn("Cheap Tubes Ltd", "; ".join(reasons.get(lot, [])))
        # an unlisted supplier of a controlled component is not approved either
        stranger = self.env["res.partner"].create({"name": "Unknown Tubes", "is_company": True})
        _picking, other = self.receive(stranger, "TUBE-UNK-1")
        self.assertEqual(other.med_release_decision, "quarantine")
        self.assertIn("not on the approved supplier list", other.med_nc_ids.description)

    def test_receipt_from_approved_supplier_is_accepted(self):
        _picking, lot = self.receive(self.good_vendor, "TUBE-OK-1")
        self.assertFalse(lot.med_release_decision, "the category does not quarantine it")
        self.assertFalse(lot.med_nc_ids)
        self.assertFalse(lot._med_blocking_reasons("consume"))

    def test_supplier_change_request_sets_the_list(self):
        self.env["product.supplierinfo"].create(
            {"partner_id": self.good_vendor.id, "product_tmpl_id": self.tubing.product_tmpl_id.id}
        )
        new_vendor = self.env["res.partner"].create({"name": "Better Tubes", "is_company": True})
        request = self.new_request(
            change_type="supplier",
            old_bom_id=False,
            component_tmpl_id=self.tubing.product_tmpl_id.id,
            old_partner_id=self.good_vendor.id,
            new_partner_id=new_vendor.id,
            disqualify_old_supplier=True,
            supplier_evidence="Audit 2026-03 passed, 3 lots of first article inspection",
        )
        request.with_user(self.engineer).action_submit()
        self.sign(request, "engineering")
        self.assertEqual(
            self.env["med.supplier.approval"]._med_status(self.tubing, new_vendor, self.company),
            False,
            "nothing changes before both approvals",
        )
        self.sign(request, "quality")
        self.assertEqual(request.state, "effective")
        Approval = self.env["med.supplier.approval"]
        self.assertEqual(Approval._med_status(self.tubing, new_vendor, self.company), "approved")
        self.assertEqual(self.approved.status, "disqualified")
        self.assertEqual(self.tubing.seller_ids.partner_id, new_vendor)
        _picking, lot = self.receive(new_vendor, "TUBE-NEW-1")
        self.assertFalse(lot.med_nc_ids)

    def test_only_qa_managers_maintain_the_list(self):
        for user in (self.inspector, self.mrp_user, self.engineer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.disqualified.with_user(user).status = "approved"
        self.assertEqual(self.disqualified.status, "disqualified")
