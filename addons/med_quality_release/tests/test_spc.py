"""Control charts of a measurement control point: signed baseline, run rule alerts and
their hold or nonconformance, subgroups, capability of the worked example."""

from datetime import timedelta

from psycopg2 import errors

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import MedQualityCommon
from .test_spc_formulas import PISTON_LSL, PISTON_RINGS, PISTON_USL

# Baseline of the I-MR tests: mean 9.0, MR-bar 2.3 / 9, sigma = MR-bar / 1.128 = 0.2266:
# 1, 2 and 3 sigma from the center at 9.227 / 8.773, 9.453 / 8.547, 9.680 / 8.320.
BASELINE = [9.0, 9.2, 8.8, 9.1, 8.9, 9.0, 9.2, 8.8, 9.1, 8.9]


class MedSpcCommon(MedQualityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.point = cls.final_point
        cls.point.write({"spc_enabled": True, "spc_subgroup_size": 1})
        cls.lot_seq = 0

    @classmethod
    def measure(cls, value, point=None, lot=None, lot_name=None):
        """Record one measurement of ``point`` (on a new lot unless given) as the inspector."""
        point = point or cls.point
        if not lot:
            cls.lot_seq += 1
            lot = cls.env["stock.lot"].create(
                {"name": lot_name or f"SPC-{cls.lot_seq:04d}", "product_id": cls.device.id}
            )
        check = (
            cls.env["med.quality.check"]
            .sudo()
            .create(
                {
                    "point_id": point.id,
                    "company_id": point.company_id.id,
                    "trigger": point.trigger,
                    "test_type": "measure",
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "norm_min": point.norm_min,
                    "norm_max": point.norm_max,
                    "measure_unit": point.measure_unit,
                    "sample_size": 1,
                }
            )
        )
        check = check.with_user(cls.inspector)
        check.write({"measure_value": value, "equipment_ref": "CALIPER-07"})
        check.action_record_measure()
        return check.with_user(cls.env.user)

    @classmethod
    def freeze(cls, point=None, comment="Process stable over the qualification runs"):
        point = (point or cls.point).with_user(cls.manager)
        action = point.action_med_spc_freeze_baseline()
        wizard = cls.env["med.signature.wizard"].with_user(cls.manager).browse(action["res_id"])
        wizard.comment = comment
        wizard.with_context(password=cls.MANAGER_PASSWORD).action_sign()
        return point.with_user(cls.env.user).spc_baseline_id


@tagged("post_install", "-at_install")
class TestSpcRunRules(MedSpcCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for value in BASELINE:
            cls.measure(value)
        cls.baseline = cls.freeze()

    def record(self, values):
        """Record ``values``; the rules of the alerts raised by each measurement."""
        result = []
        for value in values:
            check = self.measure(value)
            result.append(sorted(check.spc_alert_ids.mapped("rule")))
        return result

    def test_baseline_signed(self):
        baseline = self.baseline
        self.assertEqual(baseline.chart_type, "imr")
        self.assertEqual(baseline.sample_count, 10)
        self.assertAlmostEqual(baseline.center, 9.0, places=6)
        self.assertAlmostEqual(baseline.r_center, 2.3 / 9, places=6)
        self.assertAlmostEqual(baseline.ucl, 9.0 + 3 * 2.3 / 9 / 1.128, places=6)
        self.assertAlmostEqual(baseline.sigma, 2.3 / 9 / 1.128, places=6)
        self.assertAlmostEqual(baseline.cp, 6.0 / (6 * 2.3 / 9 / 1.128), places=2)
        self.assertEqual(len(baseline.check_ids), 10)
        signature = baseline.signature_id
        self.assertEqual(signature.meaning, "spc_approved")
        self.assertEqual(signature.signer_id, self.manager)
        self.assertEqual((signature.res_model, signature.res_id), (self.point._name, self.point.id))
        self.assertTrue(signature.hash_valid)
        self.assertIn('"ucl":', signature.content_json)
        # no alert for the measurements recorded before the baseline
        self.assertFalse(self.point.spc_alert_ids)

    def test_rule_1(self):
        self.assertEqual(self.record([9.1, 10.0]), [[], ["1"]])
        alert = self.point.spc_alert_ids
        self.assertEqual(alert.check_ids, alert.check_id)
        self.assertAlmostEqual(alert.value, 10.0)
        self.assertEqual(alert.lot_id, alert.check_id.lot_id)
        self.assertEqual(alert.baseline_id, self.baseline)
        # the QA Managers are notified
        self.assertIn(self.manager, alert.activity_ids.user_id)

    def test_rule_2(self):
        values = [9.1, 9.05, 9.15] * 3
        self.assertEqual(self.record(values), [[]] * 8 + [["2"]])
        self.assertEqual(len(self.point.spc_alert_ids.check_ids), 9)

    def test_rule_3(self):
        values = [8.7, 8.8, 8.9, 9.0, 9.1, 9.15]
        self.assertEqual(self.record(values), [[]] * 5 + [["3"]])

    def test_rule_5(self):
        self.assertEqual(self.record([9.5, 9.0, 9.55]), [[], [], ["5"]])
        self.assertEqual(len(self.point.spc_alert_ids.check_ids), 2)

    def test_rule_6(self):
        values = [9.3, 9.35, 9.0, 9.3, 9.35]
        self.assertEqual(self.record(values), [[]] * 4 + [["6"]])
        self.assertEqual(len(self.point.spc_alert_ids.check_ids), 4)

    def test_rule_4(self):
        self.point.spc_rule_4 = True
        # 8.9 repeats the last baseline value: the zigzag starts there
        values = [8.9, *([9.1, 8.9] * 6), 9.1]
        self.assertEqual(self.record(values), [[]] * 13 + [["4"]])
        self.assertEqual(len(self.point.spc_alert_ids.check_ids), 14)

    def test_rule_7(self):
        self.point.spc_rule_7 = True
        # 9.3 is beyond 1 sigma: the 15 points within 1 sigma start after it
        values = [9.3, *([9.1, 8.9] * 7), 9.1]
        self.assertEqual(self.record(values), [[]] * 15 + [["7"]])

    def test_rule_8_puts_lot_on_hold(self):
        self.point.write({"spc_rule_8": True, "spc_hold_lot": True})
        result = self.record([9.3, 8.7] * 4)
        self.assertEqual(result, [[]] * 7 + [["8"]])
        alert = self.point.spc_alert_ids
        self.assertTrue(alert.check_id.lot_id.med_hold_active)
        self.assertEqual(alert.hold_id.lot_id, alert.check_id.lot_id)

    def test_new_rules_off_by_default(self):
        self.assertEqual(self.record([9.3, 8.7] * 4), [[]] * 8)

    def test_range_rule_beyond_limit(self):
        # MR UCL = 3.267 x 2.3 / 9 = 0.835; both values stay within 2 sigma of the center
        self.assertEqual(self.record([9.42, 8.56]), [[], []])
        self.point.spc_rule_r1 = True
        self.point.spc_open_nonconformance = True
        self.assertEqual(self.record([9.0, 9.42, 8.56]), [[], [], ["r1"]])
        alert = self.point.spc_alert_ids
        self.assertIn("Range chart", alert.nonconformance_id.description)
        chart = self.point.med_spc_chart_data()
        self.assertEqual(chart["points"][-1]["range_rules"], ["r1"])
        self.assertEqual(chart["points"][-1]["rules"], [])

    def test_range_rule_trend(self):
        self.point.spc_rule_r3 = True
        # moving ranges 0.05, 0.1, 0.15, 0.2, 0.25, 0.3 (steadily increasing)
        values = [9.05, 9.15, 9.0, 9.2, 8.95, 9.25]
        self.assertEqual(self.record([9.0, *values]), [[]] * 6 + [["r3"]])

    def test_rule_switched_off(self):
        self.point.spc_rule_1 = False
        self.assertEqual(self.record([10.0]), [[]])

    def test_hold_lot(self):
        self.point.spc_hold_lot = True
        check = self.measure(10.0)
        alert = check.spc_alert_ids
        self.assertTrue(check.lot_id.med_hold_active)
        self.assertEqual(alert.hold_id.lot_id, check.lot_id)
        self.assertIn(check.name, alert.hold_id.reason)
        self.assertFalse(alert.nonconformance_id)

    def test_open_nonconformance(self):
        self.point.spc_open_nonconformance = True
        check = self.measure(10.0)
        alert = check.spc_alert_ids
        nonconformance = alert.nonconformance_id
        self.assertEqual(nonconformance.state, "open")
        self.assertEqual(nonconformance.lot_id, check.lot_id)
        self.assertIn("Rule 1", nonconformance.description)
        self.assertFalse(check.lot_id.med_hold_active)

    def test_recompute_keeps_history(self):
        self.record([9.1, 8.9])
        new = self.freeze(comment="Recomputed after the tooling change")
        self.assertNotEqual(new, self.baseline)
        self.assertEqual(self.point.spc_baseline_id, new)
        self.assertEqual(self.point.spc_baseline_ids, self.baseline | new)
        self.assertEqual(new.sample_count, 12)
        self.assertEqual(self.baseline.sample_count, 10)
        # after a process change: only the measurements of the new period
        self.record([9.3, 9.5, 9.4])
        last = self.point.spc_baseline_id.check_ids.sorted("id")[-1]
        self.env.cr.execute(
            "UPDATE med_quality_check SET date_done = date_done + interval '1 hour' "
            "WHERE point_id = %s AND id > %s",
            [self.point.id, last.id],
        )
        self.env.invalidate_all()
        self.point.spc_baseline_from = last.date_done + timedelta(minutes=30)
        third = self.freeze(comment="Limits of the new tooling")
        self.assertEqual(third.sample_count, 3)
        self.assertAlmostEqual(third.center, 9.4, places=6)
        self.assertEqual(len(self.point.spc_baseline_ids), 3)

    def test_baseline_cannot_be_changed(self):
        baseline, signature = self.baseline, self.baseline.signature_id
        for record, values in ((baseline, {"ucl": 99.0}), (signature, {"comment": "edited"})):
            with self.subTest(model=record._name):
                with self.assertRaisesRegex(UserError, "immutable"):
                    record.sudo().write(values)
                with self.assertRaisesRegex(UserError, "immutable"):
                    record.sudo().unlink()
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(errors.IntegrityConstraintViolation),
                    self.env.cr.savepoint(),
                ):
                    self.env.cr.execute(
                        f"UPDATE {record._table} SET create_uid = create_uid WHERE id = %s",
                        [record.id],
                    )
        self.env.invalidate_all()
        self.assertAlmostEqual(baseline.ucl, 9.0 + 3 * 2.3 / 9 / 1.128, places=6)
        chain = self.env["med.trail.chain"]._med_verify()
        self.assertFalse([result for result in chain if result["break"]])

    def test_inspector_cannot_freeze(self):
        with self.assertRaisesRegex(Exception, "Only a QA Manager can freeze"):
            self.point.with_user(self.inspector).action_med_spc_freeze_baseline()
        self.assertEqual(self.point.spc_baseline_ids, self.baseline)

    def test_chart_data(self):
        self.record([10.0])
        data = self.point.with_user(self.stock_user).med_spc_chart_data()
        self.assertEqual(data["chart_type"], "imr")
        self.assertEqual(len(data["points"]), 11)
        self.assertEqual(data["points"][-1]["rules"], [1])
        self.assertIsNone(data["points"][0]["range"])
        self.assertAlmostEqual(data["baseline"]["center"], 9.0)
        self.assertEqual((data["norm_min"], data["norm_max"]), (6.0, 12.0))
        other = self.env["product.product"].create({"name": "Other"})
        self.assertFalse(
            self.point.med_spc_chart_data(product_id=other.id)["points"],
        )

    def test_multi_company(self):
        self.record([10.0])
        other = self.env["res.company"].create({"name": "Other Plant"})
        user = new_test_user(
            self.env,
            login="spc_other_plant",
            groups="med_quality_release.group_qa_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertTrue(self.env["med.spc.alert"].search([("point_id", "=", self.point.id)]))
        self.assertFalse(self.env["med.spc.alert"].with_user(user).search([]))
        self.assertFalse(self.env["med.spc.baseline"].with_user(user).search([]))

    def test_alert_acknowledge(self):
        self.record([10.0])
        alert = self.point.spc_alert_ids.with_user(self.inspector)
        with self.assertRaisesRegex(UserError, "investigation note"):
            alert.action_acknowledge()
        alert.note = "Gauge dropped; re-zeroed"
        alert.action_acknowledge()
        self.assertEqual(alert.state, "acknowledged")
        with self.assertRaisesRegex(UserError, "only the investigation note"):
            alert.write({"rule": "2"})


@tagged("post_install", "-at_install")
class TestSpcSubgroups(MedSpcCommon):
    def test_subgroups_by_lot(self):
        """Consecutive measurements of one lot form a subgroup; an incomplete one is left out."""
        self.point.spc_subgroup_size = 3
        lots = {}
        for name, values in (
            ("SG-A", [9.0, 9.2, 8.9]),
            ("SG-B", [9.1, 8.8, 9.0]),
            ("SG-C", [8.9, 9.1, 9.2]),
            ("SG-D", [9.6, 9.7]),  # lot changes before the subgroup is complete
            ("SG-E", [9.0, 8.9, 9.1]),
        ):
            lots[name] = self.env["stock.lot"].create({"name": name, "product_id": self.device.id})
            for value in values:
                self.measure(value, lot=lots[name])
        series = self.point._med_spc_series(self.point._med_spc_checks())
        self.assertEqual(
            [point["checks"].lot_id.name for point in series], ["SG-A", "SG-B", "SG-C", "SG-E"]
        )
        baseline = self.freeze()
        self.assertEqual(baseline.chart_type, "xbar_r")
        self.assertEqual((baseline.sample_count, baseline.subgroup_count), (12, 4))
        # R-bar = (0.3 + 0.3 + 0.3 + 0.2) / 4 = 0.275; A2(3) = 1.023
        self.assertAlmostEqual(baseline.r_center, 0.275, places=6)
        self.assertAlmostEqual(baseline.ucl - baseline.center, 1.023 * 0.275, places=6)
        self.assertAlmostEqual(baseline.r_ucl, 2.574 * 0.275, places=6)
        # a new subgroup far above: the alert comes with its third measurement
        lot = self.env["stock.lot"].create({"name": "SG-F", "product_id": self.device.id})
        first, second = self.measure(9.6, lot=lot), self.measure(9.7, lot=lot)
        self.assertFalse(first.spc_alert_ids | second.spc_alert_ids)
        third = self.measure(9.65, lot=lot)
        self.assertEqual(third.spc_alert_ids.mapped("rule"), ["1"])
        self.assertEqual(third.spc_alert_ids.check_ids, first | second | third)

    def test_piston_rings_capability(self):
        """The worked example recorded as 125 measurements of 25 lots (see test_spc_formulas)."""
        self.point.write({"spc_subgroup_size": 5, "norm_min": PISTON_LSL, "norm_max": PISTON_USL})
        for number, subgroup in enumerate(PISTON_RINGS, 1):
            lot = self.env["stock.lot"].create(
                {"name": f"RING-{number:02d}", "product_id": self.device.id}
            )
            for value in subgroup:
                self.measure(value, lot=lot)
        baseline = self.freeze()
        self.assertEqual((baseline.sample_count, baseline.subgroup_count), (125, 25))
        self.assertAlmostEqual(baseline.center, 74.00118, places=5)
        self.assertAlmostEqual(baseline.r_center, 0.02276, places=5)
        self.assertAlmostEqual(baseline.ucl, 74.01431, places=4)
        self.assertAlmostEqual(baseline.lcl, 73.98805, places=4)
        self.assertAlmostEqual(baseline.r_ucl, 0.04812, places=4)
        self.assertAlmostEqual(baseline.cp, 1.70, places=2)
        self.assertAlmostEqual(baseline.cpk, 1.66, places=2)
        self.assertAlmostEqual(baseline.pp, 1.655, places=3)
        self.assertAlmostEqual(baseline.ppk, 1.616, places=3)

    def test_not_enough_data(self):
        self.measure(9.0)
        with self.assertRaisesRegex(UserError, "not enough for a baseline"):
            self.freeze()
        self.assertFalse(self.point.spc_baseline_ids)
