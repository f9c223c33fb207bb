"""SPC baselines attacked over XML-RPC: only a QA Manager freezes one, with a valid
signature, and nobody changes it afterwards. Every refusal asserts its message and
that the baselines and signatures did not change."""

from odoo.tests import tagged

from .common import MedQualityRpcCase
from .test_spc import BASELINE, MedSpcCommon


@tagged("post_install", "-at_install")
class TestSpcSecurity(MedQualityRpcCase, MedSpcCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for value in BASELINE:
            cls.measure(value)
        cls.baseline = cls.freeze()

    def state(self):
        self.env.invalidate_all()
        return (
            self.point.spc_baseline_ids.ids,
            self.env["med.signature"].sudo().search_count([]),
            self.baseline.ucl,
            self.baseline.signature_id.comment,
        )

    def test_inspector_records_but_cannot_freeze(self):
        before = self.state()
        # an inspector records measurements...
        check = (
            self.env["med.quality.check"]
            .sudo()
            .create(
                {
                    "point_id": self.point.id,
                    "company_id": self.point.company_id.id,
                    "trigger": self.point.trigger,
                    "test_type": "measure",
                    "product_id": self.device.id,
                    "norm_min": self.point.norm_min,
                    "norm_max": self.point.norm_max,
                    "sample_size": 1,
                }
            )
        )
        self.rpc(
            self.inspector,
            "med.quality.check",
            "write",
            [check.id],
            {"measure_value": 9.05, "equipment_ref": "CALIPER-07"},
        )
        self.rpc(self.inspector, "med.quality.check", "action_record_measure", [check.id])
        self.assertEqual(check.state, "pass")
        # ...but does not freeze the baseline
        self.assertRefused(
            "Only a QA Manager can freeze or recompute the SPC baseline of control point "
            "Seal strength.",
            self.inspector,
            "med.quality.point",
            "action_med_spc_freeze_baseline",
            [self.point.id],
        )
        self.assertRefused(
            "You are not allowed to create",
            self.inspector,
            "med.signature.wizard",
            "create",
            {"action": "spc_baseline", "res_model": "med.quality.point", "res_id": self.point.id},
        )
        self.assertRefused(
            "You are not allowed to create",
            self.inspector,
            "med.spc.baseline",
            "create",
            {"point_id": self.point.id, "ucl": 1.0},
        )
        self.assertEqual(self.state(), before)

    def test_wrong_password_freezes_nothing(self):
        before = self.state()
        wizard_id = self.rpc(
            self.manager,
            "med.signature.wizard",
            "create",
            {
                "action": "spc_baseline",
                "res_model": "med.quality.point",
                "res_id": self.point.id,
                "comment": "Recompute",
            },
        )
        self.assertRefused(
            "the password of Marta Manager is not correct",
            self.manager,
            "med.signature.wizard",
            "action_sign",
            [wizard_id],
            context={"password": "wrong"},
        )
        self.assertEqual(self.state(), before)

    def test_manager_recomputes_signed(self):
        wizard_id = self.rpc(
            self.manager,
            "med.signature.wizard",
            "create",
            {
                "action": "spc_baseline",
                "res_model": "med.quality.point",
                "res_id": self.point.id,
                "comment": "Recomputed over RPC",
            },
        )
        self.rpc(
            self.manager,
            "med.signature.wizard",
            "action_sign",
            [wizard_id],
            context={"password": self.MANAGER_PASSWORD},
        )
        self.env.invalidate_all()
        self.assertEqual(len(self.point.spc_baseline_ids), 2)
        self.assertEqual(self.point.spc_baseline_id.signature_id.comment, "Recomputed over RPC")

    def test_baseline_and_signature_unchangeable(self):
        before = self.state()
        signature = self.baseline.signature_id
        for model, record, values, label in (
            ("med.spc.baseline", self.baseline, {"ucl": 99.0}, "SPC Baseline"),
            ("med.signature", signature, {"comment": "Edited"}, "Electronic Signature"),
        ):
            with self.subTest(model=model):
                name = record.display_name
                self.assertRefused(
                    f"{label} records are immutable: {name} cannot be changed.",
                    self.manager,
                    model,
                    "write",
                    [record.id],
                    values,
                )
                self.assertRefused(
                    f"records are immutable: {name} cannot be deleted.",
                    self.manager,
                    model,
                    "unlink",
                    [record.id],
                )
        self.assertEqual(self.state(), before)
