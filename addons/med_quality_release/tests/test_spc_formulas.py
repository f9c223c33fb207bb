"""Control limits, capability and run rules of ``lib/spc.py`` against published examples."""

from odoo.tests import BaseCase, tagged

from ..lib import spc

# Montgomery, D. C., Introduction to Statistical Quality Control (Wiley), chapter 6,
# piston-ring example: inside diameter (mm) of forged piston rings, 25 preliminary
# samples of 5 (the same data are the ``pistonrings`` data set of the R package qcc,
# samples 1-25). Published: grand mean 74.00118, R-bar 0.02276, x-bar chart limits
# 73.98805 / 74.01431, R chart UCL 0.04812 (D4 = 2.114), LCL 0. With the specification
# 74.000 +/- 0.05 mm the within sigma R-bar / d2 = 0.02276 / 2.326 = 0.00979 gives
# Cp = 1.70 and Cpk = 1.66 (Montgomery rounds sigma to 0.0099 and prints Cp = 1.68).
PISTON_RINGS = [
    (74.030, 74.002, 74.019, 73.992, 74.008),
    (73.995, 73.992, 74.001, 74.011, 74.004),
    (73.988, 74.024, 74.021, 74.005, 74.002),
    (74.002, 73.996, 73.993, 74.015, 74.009),
    (73.992, 74.007, 74.015, 73.989, 74.014),
    (74.009, 73.994, 73.997, 73.985, 73.993),
    (73.995, 74.006, 73.994, 74.000, 74.005),
    (73.985, 74.003, 73.993, 74.015, 73.988),
    (74.008, 73.995, 74.009, 74.005, 74.004),
    (73.998, 74.000, 73.990, 74.007, 73.995),
    (73.994, 73.998, 73.994, 73.995, 73.990),
    (74.004, 74.000, 74.007, 74.000, 73.996),
    (73.983, 74.002, 73.998, 73.997, 74.012),
    (74.006, 73.967, 73.994, 74.000, 73.984),
    (74.012, 74.014, 73.998, 73.999, 74.007),
    (74.000, 73.984, 74.005, 73.998, 73.996),
    (73.994, 74.012, 73.986, 74.005, 74.007),
    (74.006, 74.010, 74.018, 74.003, 74.000),
    (73.984, 74.002, 74.003, 74.005, 73.997),
    (74.000, 74.010, 74.013, 74.020, 74.003),
    (73.988, 74.001, 74.009, 74.005, 73.996),
    (74.004, 73.999, 73.990, 74.006, 74.009),
    (74.010, 73.989, 73.990, 74.009, 74.014),
    (74.015, 74.008, 73.993, 74.000, 74.010),
    (73.982, 73.984, 73.995, 74.017, 74.013),
]
PISTON_LSL, PISTON_USL = 73.95, 74.05

# NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2.2 (individuals control
# charts), flow rate example: 10 values, mean 50.81, MR-bar 1.8778, I chart limits
# 45.8159 / 55.8041, MR chart UCL 6.1349 (checked by hand: MR sum 16.9 over 9 ranges).
NIST_FLOWRATE = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


@tagged("post_install", "-at_install")
class TestSpcFormulas(BaseCase):
    def test_constants(self):
        """A2 = 3 / (d2 sqrt(n)); D3 = 1 - 3 d3 / d2 and D4 = 1 + 3 d3 / d2, D3 cut at 0."""
        for size in range(2, 11):
            with self.subTest(size=size):
                self.assertAlmostEqual(spc.A2[size], 3 / (spc.D2[size] * size**0.5), places=2)
                if size >= 7:
                    self.assertAlmostEqual(spc.D3[size] + spc.D4[size], 2.0, places=2)
                else:
                    self.assertEqual(spc.D3[size], 0.0)

    def test_xbar_r_piston_rings(self):
        result = spc.baseline(PISTON_RINGS, 5, PISTON_LSL, PISTON_USL)
        self.assertAlmostEqual(result["center"], 74.00118, places=5)
        self.assertAlmostEqual(result["r_center"], 0.02276, places=5)
        self.assertAlmostEqual(result["ucl"], 74.01431, places=4)
        self.assertAlmostEqual(result["lcl"], 73.98805, places=4)
        self.assertAlmostEqual(result["r_ucl"], 0.04812, places=4)
        self.assertEqual(result["r_lcl"], 0.0)
        self.assertAlmostEqual(result["sigma_within"], 0.00979, places=5)
        self.assertEqual(result["count"], 125)
        self.assertAlmostEqual(result["cp"], 1.70, places=2)
        self.assertAlmostEqual(result["cpk"], 1.66, places=2)
        # overall sigma: sample standard deviation of the 125 values
        self.assertAlmostEqual(result["sigma_overall"], 0.01007, places=5)
        self.assertAlmostEqual(result["pp"], 1.655, places=3)
        self.assertAlmostEqual(result["ppk"], 1.616, places=3)

    def test_imr_nist_flowrate(self):
        result = spc.baseline(NIST_FLOWRATE, 1)
        self.assertAlmostEqual(result["center"], 50.81, places=4)
        self.assertAlmostEqual(result["r_center"], 1.8778, places=4)
        self.assertAlmostEqual(result["ucl"], 55.8041, places=4)
        self.assertAlmostEqual(result["lcl"], 45.8159, places=4)
        # 3.267 x 1.8778 = 6.1347; the handbook prints 6.1349 (unrounded D4)
        self.assertAlmostEqual(result["r_ucl"], 6.1349, places=3)
        # sample standard deviation (n - 1), by hand: sqrt(37.229 / 9)
        self.assertAlmostEqual(result["sigma_overall"], 2.0339, places=4)

    def test_capability_nist_example(self):
        """NIST/SEMATECH e-Handbook 6.1.6: USL 20, LSL 8, mean 16, sigma 2."""
        cp, cpk = spc.capability(16, 2, 8, 20)
        self.assertAlmostEqual(cp, 1.0)
        self.assertAlmostEqual(cpk, 0.6667, places=4)
        self.assertEqual(spc.capability(16, 0, 8, 20), (None, None))

    def test_not_enough_data(self):
        with self.assertRaises(spc.SpcError):
            spc.imr_limits([1.0])
        with self.assertRaises(spc.SpcError):
            spc.xbar_r_limits([[1.0, 2.0]])
        with self.assertRaises(spc.SpcError):
            spc.xbar_r_limits([[1.0, 2.0], [1.0, 2.0, 3.0]])
        with self.assertRaises(spc.SpcError):
            spc.xbar_r_limits([[1.0] * 11, [2.0] * 11])

    def rules(self, values, rules=spc.RULES):
        return dict(spc.rule_violations(values, 0.0, 1.0, rules))

    def test_rule_1(self):
        self.assertEqual(self.rules([0.0, 3.5]), {1: [1]})
        self.assertEqual(self.rules([0.0, -3.01]), {1: [1]})
        self.assertEqual(self.rules([0.0, 2.9]), {})

    def test_rule_2(self):
        self.assertEqual(self.rules([0.5, -0.5, 0.5] * 3), {})
        nine = [0.1, 0.3, 0.2, 0.4, 0.1, 0.3, 0.2, 0.4, 0.1]
        self.assertEqual(self.rules(nine), {2: list(range(9))})
        self.assertEqual(self.rules(nine[:8]), {})
        self.assertEqual(self.rules([-v for v in nine]), {2: list(range(9))})
        # a point on the center line breaks the run
        self.assertEqual(self.rules([*nine[:8], 0.0]), {})

    def test_rule_3(self):
        rising = [-0.5, -0.3, -0.1, 0.1, 0.3, 0.5]
        self.assertEqual(self.rules(rising), {3: list(range(6))})
        self.assertEqual(self.rules(rising[::-1]), {3: list(range(6))})
        self.assertEqual(self.rules(rising[:5]), {})
        self.assertEqual(self.rules([-0.5, -0.3, -0.3, 0.1, 0.3, 0.5]), {})

    def test_rule_5(self):
        self.assertEqual(self.rules([2.5, 0.0, 2.2]), {5: [0, 2]})
        self.assertEqual(self.rules([0.0, -2.5, -2.2]), {5: [1, 2]})
        self.assertEqual(self.rules([2.5, 0.0, -2.2]), {})
        # the new point must be one of the two
        self.assertEqual(self.rules([2.5, 2.2, 0.0]), {})

    def test_rule_6(self):
        self.assertEqual(self.rules([1.5, 1.2, 0.0, 1.1, 1.3]), {6: [0, 1, 3, 4]})
        self.assertEqual(self.rules([1.5, 1.2, 0.0, 1.1, -1.3]), {})
        self.assertEqual(self.rules([-1.5, -1.2, -1.1, -1.3]), {})

    def test_rules_switchable(self):
        values = [0.0, 3.5]
        self.assertEqual(self.rules(values, rules=(2, 3, 5, 6)), {})
        self.assertEqual(
            spc.rule_violations([0.0, 3.5, 0.0], 0.0, 1.0, (1,), last_only=False), [(1, [1])]
        )

    def test_rule_4(self):
        alternating = [0.5, -0.5] * 7
        self.assertEqual(self.rules(alternating, rules=(4,)), {4: list(range(14))})
        self.assertEqual(self.rules(alternating[:13], rules=(4,)), {})
        # two steps in the same direction break the pattern
        self.assertEqual(self.rules([*alternating[:12], 0.6, 0.7], rules=(4,)), {})

    def test_rule_7(self):
        inside = [0.5, -0.5, 0.2] * 5
        self.assertEqual(self.rules(inside, rules=(7,)), {7: list(range(15))})
        self.assertEqual(self.rules(inside[:14], rules=(7,)), {})
        self.assertEqual(self.rules([*inside[:14], 1.2], rules=(7,)), {})

    def test_rule_8(self):
        outside = [1.5, -1.5, 1.2, -2.0] * 2
        self.assertEqual(self.rules(outside, rules=(8,)), {8: list(range(8))})
        self.assertEqual(self.rules(outside[:7], rules=(8,)), {})
        self.assertEqual(self.rules([*outside[:7], 0.5], rules=(8,)), {})

    def test_range_rules(self):
        # range chart with center 1.0, limits 0 and 2.5 (D3 = 0) and with LCL 0.3 (D3 > 0)
        def rules(ranges, lcl=0.0, rules=spc.RANGE_RULES):
            return dict(spc.range_rule_violations(ranges, 1.0, lcl, 2.5, rules))

        self.assertEqual(rules([None, 1.0, 2.6]), {"r1": [2]})
        self.assertEqual(rules([None, 1.0, 2.4]), {})
        self.assertEqual(rules([1.0, 0.2], lcl=0.3), {"r1": [1]})
        self.assertEqual(rules([1.0, 0.2]), {})
        above = [1.1, 1.3, 1.2, 1.4, 1.1, 1.3, 1.2, 1.4, 1.1]
        self.assertEqual(rules(above), {"r2": list(range(9))})
        # the first moving range is missing: no run through it
        self.assertEqual(rules([None, *above[1:]]), {})
        rising = [0.5, 0.6, 0.8, 1.1, 1.3, 1.6]
        self.assertEqual(rules(rising), {"r3": list(range(6))})
        self.assertEqual(rules(rising, rules=("r1", "r2")), {})
        with self.assertRaises(spc.SpcError):
            rules([1.0], rules=("r9",))
