from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..lib import iso2859
from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestIso2859(MedQualityCommon):
    def test_code_letters(self):
        """Table 1: code letter by lot size and inspection level."""
        cases = [
            # lot size, level, expected letter
            (5, "II", "A"),
            (8, "III", "B"),
            (20, "II", "C"),
            (50, "I", "C"),
            (100, "II", "F"),
            (280, "II", "G"),
            (281, "II", "H"),
            (500, "III", "J"),
            (1000, "II", "J"),
            (1000, "I", "G"),
            (1000, "S-1", "C"),
            (1000, "S-4", "F"),
            (3201, "II", "L"),
            (10000, "II", "L"),
            (10001, "II", "M"),
            (35001, "III", "P"),
            (500001, "II", "Q"),
            (600000, "III", "R"),
            (600000, "S-2", "E"),
        ]
        for lot_size, level, letter in cases:
            with self.subTest(lot_size=lot_size, level=level):
                self.assertEqual(iso2859.code_letter(lot_size, level), letter)

    def test_sampling_plans_normal_single(self):
        """Table 2-A: sample size and Ac/Re, arrows followed to the right row."""
        cases = [
            # lot size, AQL, (sample size, Ac, Re) for level II
            (1000, "0.65", (80, 1, 2)),
            (1000, "1.0", (80, 2, 3)),
            (1000, "2.5", (80, 5, 6)),
            (1000, "4.0", (80, 7, 8)),
            (500, "2.5", (50, 3, 4)),
            (500, "0.65", (80, 1, 2)),  # H at 0.65: arrow down to J
            (10000, "1.0", (200, 5, 6)),
            (10000, "0.10", (125, 0, 1)),  # L at 0.10: arrow up to K
            (150, "1.0", (13, 0, 1)),  # F at 1.0: arrow up to E
            (50, "0.65", (20, 0, 1)),  # D at 0.65: arrow down to F
            (3000, "0.40", (125, 1, 2)),
            (35000, "1.5", (315, 10, 11)),
            (200, "6.5", (32, 5, 6)),
            (200, "1.0", (50, 1, 2)),  # G at 1.0: arrow down to H
        ]
        for lot_size, aql, expected in cases:
            with self.subTest(lot_size=lot_size, aql=aql):
                plan = iso2859.sampling_plan(lot_size, aql, "II")
                self.assertEqual((plan["sample_size"], plan["accept"], plan["reject"]), expected)

    def test_sample_never_exceeds_lot(self):
        plan = iso2859.sampling_plan(3, "0.010", "II")
        # A at 0.010 points down to Q (1250 units): the whole lot is inspected
        self.assertEqual(plan["plan_letter"], "Q")
        self.assertEqual(plan["sample_size"], 3)
        self.assertEqual((plan["accept"], plan["reject"]), (0, 1))

    def test_bad_input(self):
        with self.assertRaises(iso2859.SamplingError):
            iso2859.code_letter(1, "II")
        with self.assertRaises(iso2859.SamplingError):
            iso2859.code_letter(100, "IV")
        with self.assertRaises(iso2859.SamplingError):
            iso2859.sampling_plan(100, "0.3", "II")

    def test_point_sampling_values(self):
        point = self.receipt_point  # ISO 2859-1, level II, AQL 0.65
        values = point._med_sampling_values(1000)
        self.assertEqual(values["sample_size"], 80)
        self.assertEqual(values["code_letter"], "J")
        self.assertEqual((values["accept_number"], values["reject_number"]), (1, 2))
        point.write({"sampling": "percent", "sample_percent": 2.5})
        self.assertEqual(point._med_sampling_values(1000)["sample_size"], 25)
        self.assertEqual(point._med_sampling_values(10)["sample_size"], 1)
        point.write({"sampling": "fixed", "sample_qty": 13})
        self.assertEqual(point._med_sampling_values(1000)["sample_size"], 13)
        self.assertEqual(point._med_sampling_values(4)["sample_size"], 4)
        point.write({"sampling": "all"})
        self.assertEqual(point._med_sampling_values(42)["sample_size"], 42)

    def test_point_constraints(self):
        with (
            self.assertRaisesRegex(ValidationError, "minimum 9.0 is above the maximum 3.0"),
            self.env.cr.savepoint(),
        ):
            self.final_point.write({"norm_min": 9.0, "norm_max": 3.0})
        with self.assertRaisesRegex(ValidationError, "sample percentage"), self.env.cr.savepoint():
            self.receipt_point.write({"sampling": "percent", "sample_percent": 0})
        self.receipt_point.invalidate_recordset()
        self.assertEqual(self.receipt_point.sampling, "iso2859")
