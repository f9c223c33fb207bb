"""Shewhart control charts, capability indices and run rules.

Pure Python (no Odoo import) so that the formulas can be read and tested on
their own. References:

* Montgomery, D. C., *Introduction to Statistical Quality Control*, chapter 6
  (x-bar and R charts, individuals and moving range charts, process
  capability) and Appendix Table VI (factors for control charts).
* NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2 (Shewhart
  control charts), 6.3.2.4 (individuals charts) and 6.1.6 (process
  capability).
* Western Electric Statistical Quality Control Handbook (1956) and Nelson,
  L. S., "The Shewhart Control Chart - Tests for Special Causes", Journal of
  Quality Technology 16(4), 1984 (run rules; numbering of Nelson: 1 beyond
  3 sigma, 2 nine on one side, 3 six trending, 4 fourteen alternating, 5 two
  of three beyond 2 sigma, 6 four of five beyond 1 sigma, 7 fifteen within
  1 sigma, 8 eight beyond 1 sigma on either side).
"""

import math

# Factors for control charts by subgroup size n (Montgomery, Appendix Table VI).
# d2: expected range of n normal values in units of sigma; A2 = 3 / (d2 sqrt(n));
# D3, D4: lower and upper range chart factors.
D2 = {
    2: 1.128,
    3: 1.693,
    4: 2.059,
    5: 2.326,
    6: 2.534,
    7: 2.704,
    8: 2.847,
    9: 2.970,
    10: 3.078,
}
A2 = {
    2: 1.880,
    3: 1.023,
    4: 0.729,
    5: 0.577,
    6: 0.483,
    7: 0.419,
    8: 0.373,
    9: 0.337,
    10: 0.308,
}
D3 = {2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0, 6: 0.0, 7: 0.076, 8: 0.136, 9: 0.184, 10: 0.223}
D4 = {
    2: 3.267,
    3: 2.574,
    4: 2.282,
    5: 2.114,
    6: 2.004,
    7: 1.924,
    8: 1.864,
    9: 1.816,
    10: 1.777,
}
MIN_SUBGROUP, MAX_SUBGROUP = 2, 10

# Run rules (Nelson's numbering), see :func:`rule_violations`
RULES = (1, 2, 3, 4, 5, 6, 7, 8)
# Rules of the range chart (R or moving range), see :func:`range_rule_violations`
RANGE_RULES = ("r1", "r2", "r3")


class SpcError(ValueError):
    """The data cannot give a chart (too few values, bad subgroup size)."""


def mean(values):
    values = list(values)
    if not values:
        raise SpcError("no values")
    return math.fsum(values) / len(values)


def stdev(values):
    """Sample standard deviation (n - 1): the overall sigma of Pp and Ppk."""
    values = list(values)
    if len(values) < 2:
        raise SpcError("at least 2 values are needed for a standard deviation")
    center = mean(values)
    return math.sqrt(math.fsum((v - center) ** 2 for v in values) / (len(values) - 1))


def moving_ranges(values):
    """|x_i - x_(i-1)| for i >= 1 (length len(values) - 1)."""
    return [abs(b - a) for a, b in zip(values, values[1:], strict=False)]


def imr_limits(values):
    """Limits of the individuals and moving range (span 2) charts.

    X chart: CL = x-bar, limits x-bar +/- 3 MR-bar / d2 (d2 = 1.128 for n = 2).
    MR chart: CL = MR-bar, UCL = D4 MR-bar, LCL = D3 MR-bar = 0.
    """
    values = list(values)
    if len(values) < 2:
        raise SpcError("an individuals chart needs at least 2 measurements")
    mr_bar = mean(moving_ranges(values))
    center = mean(values)
    sigma = mr_bar / D2[2]
    return {
        "center": center,
        "sigma": sigma,
        "ucl": center + 3 * sigma,
        "lcl": center - 3 * sigma,
        "r_center": mr_bar,
        "r_ucl": D4[2] * mr_bar,
        "r_lcl": D3[2] * mr_bar,
        "count": len(values),
    }


def xbar_r_limits(subgroups):
    """Limits of the x-bar and R charts from equal subgroups of size 2..10.

    x-bar chart: CL = grand mean, limits CL +/- A2 R-bar; R chart: CL = R-bar,
    UCL = D4 R-bar, LCL = D3 R-bar. Within-subgroup sigma = R-bar / d2; the
    sigma of a subgroup mean is that divided by sqrt(n).
    """
    subgroups = [list(group) for group in subgroups]
    if len(subgroups) < 2:
        raise SpcError("an x-bar and R chart needs at least 2 subgroups")
    size = len(subgroups[0])
    if any(len(group) != size for group in subgroups):
        raise SpcError("all subgroups must have the same size")
    if not MIN_SUBGROUP <= size <= MAX_SUBGROUP:
        raise SpcError(f"subgroup size {size} is outside {MIN_SUBGROUP}..{MAX_SUBGROUP}")
    r_bar = mean(max(group) - min(group) for group in subgroups)
    center = mean(mean(group) for group in subgroups)
    return {
        "center": center,
        "sigma": r_bar / D2[size] / math.sqrt(size),
        "ucl": center + A2[size] * r_bar,
        "lcl": center - A2[size] * r_bar,
        "r_center": r_bar,
        "r_ucl": D4[size] * r_bar,
        "r_lcl": D3[size] * r_bar,
        "count": len(subgroups) * size,
    }


def capability(mu, sigma, lsl, usl):
    """Cp = (USL - LSL) / 6 sigma, Cpk = min(USL - mu, mu - LSL) / 3 sigma.

    Called with the within sigma (R-bar / d2) it gives Cp and Cpk, with the
    overall sample standard deviation Pp and Ppk. ``None`` when sigma is 0.
    """
    if not sigma or sigma <= 0:
        return None, None
    return (usl - lsl) / (6 * sigma), min(usl - mu, mu - lsl) / (3 * sigma)


def baseline(values, subgroup_size=1, lsl=None, usl=None):
    """Control limits and capability of a series of measurements.

    ``values`` are the individual measurements; with ``subgroup_size`` n >= 2
    they are given as a list of subgroups (lists of n values) instead.
    """
    if subgroup_size > 1:
        subgroups = [list(group) for group in values]
        limits = xbar_r_limits(subgroups)
        flat = [value for group in subgroups for value in group]
        sigma_within = limits["r_center"] / D2[subgroup_size]
    else:
        flat = list(values)
        limits = imr_limits(flat)
        sigma_within = limits["sigma"]
    result = dict(limits, sigma_within=sigma_within, mean=mean(flat))
    try:
        sigma_overall = stdev(flat)
    except SpcError:
        sigma_overall = 0.0
    result["sigma_overall"] = sigma_overall
    if lsl is not None and usl is not None:
        result["cp"], result["cpk"] = capability(result["mean"], sigma_within, lsl, usl)
        result["pp"], result["ppk"] = capability(result["mean"], sigma_overall, lsl, usl)
    return result


def _side(value, center):
    return (value > center) - (value < center)


def rule_violations(values, center, sigma, rules=RULES, last_only=True):
    """Run rule violations of the plotted statistics ``values``.

    ``sigma`` is the sigma of the plotted statistic (control limits at
    ``center +/- 3 sigma``). Rules (Nelson's numbering; 1, 5 and 6 are the
    Western Electric zone rules):

    1. one point beyond 3 sigma;
    2. nine points in a row on the same side of the center line;
    3. six points in a row steadily increasing or decreasing;
    4. fourteen points in a row alternating up and down;
    5. two out of three points in a row beyond 2 sigma on the same side;
    6. four out of five points in a row beyond 1 sigma on the same side;
    7. fifteen points in a row within 1 sigma of the center line (either side);
    8. eight points in a row beyond 1 sigma, on either side (none within 1 sigma).

    Returns ``[(rule, [indexes of the points involved])]``. With ``last_only``
    only the patterns completed by the last point are reported (the check of
    a new measurement); otherwise every point where a pattern completes.
    """
    values = list(values)
    found = []
    ends = [len(values) - 1] if last_only else range(len(values))
    for end in ends:
        if end < 0:
            continue
        for rule in rules:
            involved = _rule_at(values, end, center, sigma, rule)
            if involved:
                found.append((rule, involved))
    return found


def _rule_at(values, end, center, sigma, rule):
    """Indexes of the points of ``rule``'s pattern that ends at ``end``, or []."""
    checker = _RULE_CHECKERS.get(rule)
    if checker is None:
        raise SpcError(f"unknown run rule {rule}")
    return checker(values, end, center, sigma)


def _rule_1(values, end, center, sigma):
    if sigma > 0 and abs(values[end] - center) > 3 * sigma:
        return [end]
    return []


def _rule_2(values, end, center, sigma):
    return _same_side_run(values, end, center, 9)


def _rule_3(values, end, center, sigma):
    return _trend_run(values, end, 6)


def _rule_4(values, end, center, sigma):
    """Fourteen points in a row, each step changing direction (13 steps, up-down-up...)."""
    start = end - 13
    if start < 0:
        return []
    window = values[start : end + 1]
    steps = [_side(b, a) for a, b in zip(window, window[1:], strict=False)]
    if 0 in steps:
        return []
    alternating = all(steps[i] == -steps[i + 1] for i in range(len(steps) - 1))
    return list(range(start, end + 1)) if alternating else []


def _zone_count_rule(values, end, center, sigma, span, needed, zone):
    start = end - span + 1
    if start < 0 or sigma <= 0:
        return []
    for side in (1, -1):
        beyond = [i for i in range(start, end + 1) if side * (values[i] - center) > zone * sigma]
        # the new point is part of the pattern
        if len(beyond) >= needed and end in beyond:
            return beyond
    return []


def _rule_5(values, end, center, sigma):
    return _zone_count_rule(values, end, center, sigma, 3, 2, 2)


def _rule_6(values, end, center, sigma):
    return _zone_count_rule(values, end, center, sigma, 5, 4, 1)


def _rule_7(values, end, center, sigma):
    """Fifteen points in a row within 1 sigma of the center line (stratification)."""
    start = end - 14
    if start < 0 or sigma <= 0:
        return []
    inside = all(abs(v - center) < sigma for v in values[start : end + 1])
    return list(range(start, end + 1)) if inside else []


def _rule_8(values, end, center, sigma):
    """Eight points in a row beyond 1 sigma, on either side (mixture)."""
    start = end - 7
    if start < 0 or sigma <= 0:
        return []
    outside = all(abs(v - center) > sigma for v in values[start : end + 1])
    return list(range(start, end + 1)) if outside else []


def _same_side_run(values, end, center, length):
    start = end - length + 1
    if start < 0:
        return []
    sides = {_side(v, center) for v in values[start : end + 1]}
    return list(range(start, end + 1)) if sides in ({1}, {-1}) else []


def _trend_run(values, end, length):
    start = end - length + 1
    if start < 0:
        return []
    window = values[start : end + 1]
    steps = [b - a for a, b in zip(window, window[1:], strict=False)]
    if all(step > 0 for step in steps) or all(step < 0 for step in steps):
        return list(range(start, end + 1))
    return []


_RULE_CHECKERS = {
    1: _rule_1,
    2: _rule_2,
    3: _rule_3,
    4: _rule_4,
    5: _rule_5,
    6: _rule_6,
    7: _rule_7,
    8: _rule_8,
}


def range_rule_violations(ranges, center, lcl, ucl, rules=RANGE_RULES, last_only=True):
    """Rule violations of the range chart (subgroup ranges or moving ranges).

    The range chart is not symmetric, so the zone rules of the x chart do not
    apply (Montgomery, section 6.2.4; AIAG SPC manual, 2nd ed., section II):

    * ``r1``: a range above the upper control limit, or below a lower control
      limit above zero (D3 > 0, subgroups of 7 or more);
    * ``r2``: nine ranges in a row on the same side of the range center line;
    * ``r3``: six ranges in a row steadily increasing or decreasing.

    ``None`` in ``ranges`` (the first point of an individuals chart has no
    moving range) breaks the runs and is never flagged. Returns
    ``[(rule, [indexes])]`` like :func:`rule_violations`.
    """
    ranges = list(ranges)
    found = []
    ends = [len(ranges) - 1] if last_only else range(len(ranges))
    for end in ends:
        if end < 0 or ranges[end] is None:
            continue
        for rule in rules:
            involved = _range_rule_at(ranges, end, center, lcl, ucl, rule)
            if involved:
                found.append((rule, involved))
    return found


def _range_rule_at(ranges, end, center, lcl, ucl, rule):
    if rule == "r1":
        value = ranges[end]
        if value > ucl or (lcl > 0 and value < lcl):
            return [end]
        return []
    length = {"r2": 9, "r3": 6}.get(rule)
    if length is None:
        raise SpcError(f"unknown range chart rule {rule}")
    start = end - length + 1
    if start < 0 or any(value is None for value in ranges[start : end + 1]):
        return []
    if rule == "r2":
        return _same_side_run(ranges, end, center, length)
    return _trend_run(ranges, end, length)
