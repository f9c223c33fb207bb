import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import spc

RULE_FIELDS = {
    1: "spc_rule_1",
    2: "spc_rule_2",
    3: "spc_rule_3",
    4: "spc_rule_4",
    5: "spc_rule_5",
    6: "spc_rule_6",
    7: "spc_rule_7",
    8: "spc_rule_8",
}
RANGE_RULE_FIELDS = {
    "r1": "spc_rule_r1",
    "r2": "spc_rule_r2",
    "r3": "spc_rule_r3",
}
BASELINE_FIGURES = (
    "center",
    "ucl",
    "lcl",
    "sigma",
    "r_center",
    "r_ucl",
    "r_lcl",
    "mean",
    "sigma_within",
    "sigma_overall",
    "cp",
    "cpk",
    "pp",
    "ppk",
)


class MedQualityPoint(models.Model):
    """Statistical process control of a measurement control point.

    The plotted series is made of the recorded measurements of the point in
    the order they were recorded. With a subgroup size n >= 2, n consecutive
    measurements of the same lot (or, without a lot, of the same work order,
    else manufacturing order) form a subgroup; a subgroup left incomplete when
    the lot changes is not plotted.
    """

    _inherit = "med.quality.point"

    spc_enabled = fields.Boolean(
        string="Statistical Process Control",
        help="Chart the measurements of this point and check every new one against the "
        "run rules of the frozen baseline.",
    )
    spc_subgroup_size = fields.Integer(
        string="Subgroup Size",
        default=1,
        help="1: individuals and moving range chart (I-MR). 2 to 10: X-bar and R chart, "
        "each subgroup being that many consecutive measurements of one lot (or work "
        "order).",
    )
    spc_baseline_from = fields.Datetime(
        string="Baseline Period Start",
        help="Only the measurements recorded from this date on make the next baseline "
        "(empty: from the first one).",
    )
    spc_baseline_to = fields.Datetime(
        string="Baseline Period End",
        help="Only the measurements recorded up to this date make the next baseline "
        "(empty: up to the last one).",
    )
    spc_rule_1 = fields.Boolean(string="Rule 1: Beyond 3 Sigma", default=True)
    spc_rule_2 = fields.Boolean(string="Rule 2: 9 on One Side", default=True)
    spc_rule_3 = fields.Boolean(string="Rule 3: 6 Trending", default=True)
    spc_rule_4 = fields.Boolean(string="Rule 4: 14 Alternating")
    spc_rule_5 = fields.Boolean(string="Rule 5: 2 of 3 Beyond 2 Sigma", default=True)
    spc_rule_6 = fields.Boolean(string="Rule 6: 4 of 5 Beyond 1 Sigma", default=True)
    spc_rule_7 = fields.Boolean(
        string="Rule 7: 15 Within 1 Sigma",
        help="Stratification: often a sign that the baseline limits are too wide.",
    )
    spc_rule_8 = fields.Boolean(
        string="Rule 8: 8 Beyond 1 Sigma",
        help="Mixture: eight points in a row outside 1 sigma, on either side.",
    )
    spc_rule_r1 = fields.Boolean(
        string="Range: Beyond Limits",
        help="A subgroup range (or moving range) above its upper control limit, or below "
        "a lower control limit above zero.",
    )
    spc_rule_r2 = fields.Boolean(
        string="Range: 9 on One Side",
        help="Nine ranges in a row on the same side of the range center line.",
    )
    spc_rule_r3 = fields.Boolean(
        string="Range: 6 Trending",
        help="Six ranges in a row steadily increasing or decreasing.",
    )
    spc_hold_lot = fields.Boolean(
        string="Put the Lot on Hold",
        help="A run rule violation puts the lot of the measurement on hold.",
    )
    spc_open_nonconformance = fields.Boolean(
        string="Open a Nonconformance",
        help="A run rule violation opens a nonconformance on the lot of the measurement.",
    )
    spc_baseline_ids = fields.One2many("med.spc.baseline", "point_id", string="SPC Baselines")
    spc_baseline_id = fields.Many2one(
        "med.spc.baseline", string="Current Baseline", compute="_compute_spc_baseline_id"
    )
    spc_alert_ids = fields.One2many("med.spc.alert", "point_id", string="SPC Alerts")
    spc_alert_count = fields.Integer(string="SPC Alert Count", compute="_compute_spc_alert_count")

    @api.depends("spc_baseline_ids")
    def _compute_spc_baseline_id(self):
        for point in self:
            point.spc_baseline_id = point.spc_baseline_ids.sorted("id")[-1:]

    @api.depends("spc_alert_ids")
    def _compute_spc_alert_count(self):
        for point in self:
            point.spc_alert_count = len(point.spc_alert_ids)

    @api.constrains("spc_enabled", "spc_subgroup_size", "test_type")
    def _check_spc(self):
        for point in self.filtered("spc_enabled"):
            if point.test_type != "measure":
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': statistical process control needs a "
                        "measurement.",
                        point=point.name,
                    )
                )
            size = point.spc_subgroup_size
            if size != 1 and not spc.MIN_SUBGROUP <= size <= spc.MAX_SUBGROUP:
                raise ValidationError(
                    self.env._(
                        "Control point '%(point)s': the subgroup size must be 1 (individuals) "
                        "or between 2 and 10 (X-bar and R), not %(size)s.",
                        point=point.name,
                        size=size,
                    )
                )

    # ------------------------------------------------------------------
    # Series
    # ------------------------------------------------------------------

    def _med_spc_rules(self):
        self.ensure_one()
        return tuple(rule for rule, field in RULE_FIELDS.items() if self[field])

    def _med_spc_range_rules(self):
        self.ensure_one()
        return tuple(rule for rule, field in RANGE_RULE_FIELDS.items() if self[field])

    def _med_spc_checks(self, domain=None):
        self.ensure_one()
        return self.env["med.quality.check"].search(
            [
                ("point_id", "=", self.id),
                ("test_type", "=", "measure"),
                ("state", "in", ("pass", "fail")),
                *(domain or []),
            ],
            order="date_done, id",
        )

    @staticmethod
    def _med_spc_subgroup_key(check):
        if check.lot_id:
            return ("lot", check.lot_id.id)
        if check.workorder_id:
            return ("workorder", check.workorder_id.id)
        if check.production_id:
            return ("production", check.production_id.id)
        return ("check", check.id)

    def _med_spc_series(self, checks):
        """Plotted points of ``checks`` (in recording order).

        :return: list of dicts with ``checks`` (recordset), ``values``,
            ``value`` (individual or subgroup mean) and ``range`` (moving range
            of individuals, None for the first; subgroup range otherwise)
        """
        self.ensure_one()
        size = max(self.spc_subgroup_size, 1)
        series = []
        if size == 1:
            previous = None
            for check in checks:
                value = check.measure_value
                series.append(
                    {
                        "checks": check,
                        "values": [value],
                        "value": value,
                        "range": None if previous is None else abs(value - previous),
                    }
                )
                previous = value
            return series
        pending, key = self.env["med.quality.check"], None
        for check in checks:
            check_key = self._med_spc_subgroup_key(check)
            if check_key != key:
                pending, key = self.env["med.quality.check"], check_key
            pending |= check
            if len(pending) == size:
                values = pending.mapped("measure_value")
                series.append(
                    {
                        "checks": pending,
                        "values": values,
                        "value": spc.mean(values),
                        "range": max(values) - min(values),
                    }
                )
                pending = self.env["med.quality.check"]
        return series

    def _med_spc_compute_baseline(self):
        """Figures of a new baseline from the recorded measurements of the baseline period."""
        self.ensure_one()
        domain = []
        if self.spc_baseline_from:
            domain.append(("date_done", ">=", self.spc_baseline_from))
        if self.spc_baseline_to:
            domain.append(("date_done", "<=", self.spc_baseline_to))
        checks = self._med_spc_checks(domain)
        series = self._med_spc_series(checks)
        size = max(self.spc_subgroup_size, 1)
        try:
            if size == 1:
                figures = spc.baseline(
                    [point["value"] for point in series], 1, self.norm_min, self.norm_max
                )
            else:
                figures = spc.baseline(
                    [point["values"] for point in series], size, self.norm_min, self.norm_max
                )
        except spc.SpcError:
            raise UserError(
                self.env._(
                    "Control point '%(point)s': %(count)s plotted points are not enough for a "
                    "baseline; record at least 2 (25 or more are recommended).",
                    point=self.name,
                    count=len(series),
                )
            ) from None
        used = self.env["med.quality.check"].union(*(point["checks"] for point in series))
        dates = used.mapped("date_done")
        return {
            **{name: figures.get(name) or 0.0 for name in BASELINE_FIGURES},
            "chart_type": "imr" if size == 1 else "xbar_r",
            "subgroup_size": size,
            "sample_count": figures["count"],
            "subgroup_count": len(series),
            "norm_min": self.norm_min,
            "norm_max": self.norm_max,
            "date_from": fields.Datetime.to_string(min(dates)) if dates else False,
            "date_to": fields.Datetime.to_string(max(dates)) if dates else False,
            "check_ids": used.ids,
            "checks": used.mapped("name"),
        }

    # ------------------------------------------------------------------
    # Baseline: frozen with an electronic signature
    # ------------------------------------------------------------------

    def _med_spc_check_manager(self):
        if not self.env.user.has_group("med_quality_release.group_qa_manager"):
            raise AccessError(
                self.env._(
                    "Only a QA Manager can freeze or recompute the SPC baseline of control "
                    "point %(points)s.",
                    points=", ".join(self.mapped("name")),
                )
            )

    def action_med_spc_freeze_baseline(self):
        self.ensure_one()
        self._med_spc_check_manager()
        return self.env["med.signature.wizard"]._med_open(self, "spc_baseline")

    def _med_check_can_sign(self, action):
        self.ensure_one()
        if action != "spc_baseline":
            raise UserError(
                self.env._(
                    "Control point '%(point)s' can only be signed for its SPC baseline.",
                    point=self.name,
                )
            )
        self._med_spc_check_manager()
        if not self.spc_enabled:
            raise UserError(
                self.env._(
                    "Control point '%(point)s' is not under statistical process control.",
                    point=self.name,
                )
            )
        self._med_spc_compute_baseline()

    def _med_signed_content(self):
        self.ensure_one()
        return {
            "model": self._name,
            "id": self.id,
            "point": self.name,
            "company": self.company_id.name,
            "unit": self.measure_unit or None,
            "rules": list(self._med_spc_rules()),
            "range_rules": list(self._med_spc_range_rules()),
            "baseline": self._med_spc_compute_baseline(),
        }

    def _med_apply_signature(self, action, signature):
        """Create the baseline from the figures of the signed content itself."""
        self.ensure_one()
        if (
            action != "spc_baseline"
            or signature.res_model != self._name
            or signature.res_id != self.id
            or signature.meaning != "spc_approved"
        ):
            raise UserError(
                self.env._(
                    "Control point '%(point)s': the signature %(signature)s does not sign "
                    "its SPC baseline.",
                    point=self.name,
                    signature=signature.display_name,
                )
            )
        figures = json.loads(signature.content_json)["baseline"]
        figures.pop("checks", None)
        figures["check_ids"] = [fields.Command.set(figures["check_ids"])]
        return (
            self.env["med.spc.baseline"]
            .sudo()
            .create(
                dict(
                    figures,
                    point_id=self.id,
                    company_id=self.company_id.id,
                    signature_id=signature.id,
                )
            )
        )

    # ------------------------------------------------------------------
    # Run rules on a new measurement
    # ------------------------------------------------------------------

    def _med_spc_evaluate(self, check):
        """Check the run rules on the plotted point completed by ``check``."""
        self.ensure_one()
        baseline = self.spc_baseline_id
        rules, range_rules = self._med_spc_rules(), self._med_spc_range_rules()
        if not (self.spc_enabled and baseline and (rules or range_rules)):
            return self.env["med.spc.alert"]
        series = self._med_spc_series(self._med_spc_checks())
        index = next((i for i, point in enumerate(series) if check in point["checks"]), None)
        if index is None:
            return self.env["med.spc.alert"]  # subgroup not complete yet
        series = series[: index + 1]
        violations = [
            (str(rule), idx)
            for rule, idx in spc.rule_violations(
                [point["value"] for point in series], baseline.center, baseline.sigma, rules
            )
        ] + spc.range_rule_violations(
            [point["range"] for point in series],
            baseline.r_center,
            baseline.r_lcl,
            baseline.r_ucl,
            range_rules,
        )
        if not violations:
            return self.env["med.spc.alert"]
        Check = self.env["med.quality.check"]
        workcenter = check.workorder_id.workcenter_id
        alerts = (
            self.env["med.spc.alert"]
            .sudo()
            .create(
                [
                    {
                        "company_id": self.company_id.id,
                        "point_id": self.id,
                        "baseline_id": baseline.id,
                        "rule": rule,
                        "check_id": check.id,
                        "check_ids": [
                            fields.Command.set(Check.union(*(series[i]["checks"] for i in idx)).ids)
                        ],
                        "value": series[-1]["value"],
                        "lot_id": check.lot_id.id,
                        "product_id": check.product_id.id,
                        "production_id": check.production_id.id,
                        "workcenter_id": workcenter.id,
                    }
                    for rule, idx in violations
                ]
            )
        )
        self._med_spc_react(alerts, check)
        return alerts

    def _med_spc_react(self, alerts, check):
        """Notify the QA Managers; hold the lot, open a nonconformance when configured."""
        rule_names = dict(alerts._fields["rule"]._description_selection(self.env))
        summary = self.env._(
            "SPC alert on '%(point)s' (measurement %(check)s, lot %(lot)s): %(rules)s",
            point=self.name,
            check=check.name,
            lot=check.lot_id.display_name or "-",
            rules="; ".join(rule_names[alert.rule] for alert in alerts),
        )
        values = {}
        lot = check.lot_id
        if self.spc_hold_lot and lot and not lot.med_hold_active:
            values["hold_id"] = lot.sudo()._med_hold(summary)[:1].id
        if self.spc_open_nonconformance:
            values["nonconformance_id"] = (
                self.env["med.quality.nonconformance"]
                .sudo()
                .create(
                    {
                        "lot_id": lot.id,
                        "product_id": check.product_id.id,
                        "production_id": check.production_id.id,
                        "picking_id": check.picking_id.id,
                        "company_id": self.company_id.id,
                        "owner_id": (self.nc_owner_id or self.env.user).id,
                        "description": summary,
                    }
                )
                .id
            )
        if values:
            alerts.write(values)
        managers = (
            self.env.ref("med_quality_release.group_qa_manager")
            .sudo()
            .all_user_ids.filtered(lambda user: self.company_id in user.company_ids)
        )
        for alert in alerts:
            for user in managers:
                alert.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Investigate SPC alert %(alert)s", alert=alert.name),
                    note=summary,
                    user_id=user.id,
                )

    # ------------------------------------------------------------------
    # Chart
    # ------------------------------------------------------------------

    def action_med_spc_chart(self):
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "med_quality_release.spc_chart",
            "name": self.env._("Control Chart: %(point)s", point=self.name),
            "params": {"point_id": self.id},
        }

    def action_med_spc_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "med_quality_release.action_med_spc_alert"
        )
        action["domain"] = [("point_id", "=", self.id)]
        return action

    def med_spc_chart_data(
        self, date_from=False, date_to=False, product_id=False, workcenter_id=False
    ):
        """Series, limits and capability of the control chart (client action)."""
        self.ensure_one()
        self.check_access("read")
        domain = []
        if date_from:
            domain.append(("date_done", ">=", date_from))
        if date_to:
            domain.append(("date_done", "<=", date_to))
        if product_id:
            domain.append(("product_id", "=", int(product_id)))
        if workcenter_id:
            domain.append(("workorder_id.workcenter_id", "=", int(workcenter_id)))
        all_checks = self._med_spc_checks()
        checks = self._med_spc_checks(domain) if domain else all_checks
        series = self._med_spc_series(checks)
        baseline = self.spc_baseline_id
        flagged, range_flagged = {}, {}
        if baseline:
            for rule, idx in spc.rule_violations(
                [point["value"] for point in series],
                baseline.center,
                baseline.sigma,
                self._med_spc_rules(),
                last_only=False,
            ):
                for i in idx if rule == 1 else idx[-1:]:
                    flagged.setdefault(i, set()).add(rule)
            for rule, idx in spc.range_rule_violations(
                [point["range"] for point in series],
                baseline.r_center,
                baseline.r_lcl,
                baseline.r_ucl,
                self._med_spc_range_rules(),
                last_only=False,
            ):
                for i in idx if rule == "r1" else idx[-1:]:
                    range_flagged.setdefault(i, set()).add(rule)
        figures = (
            {name: baseline[name] for name in (*BASELINE_FIGURES, "sample_count")}
            | {
                "signed_at": baseline.signature_id.signed_at_local,
                "signer": baseline.signature_id.printed_name,
                "name": baseline.display_name,
            }
            if baseline
            else None
        )
        return {
            "point": self.name,
            "unit": self.measure_unit or "",
            "chart_type": "imr" if self.spc_subgroup_size <= 1 else "xbar_r",
            "subgroup_size": max(self.spc_subgroup_size, 1),
            "norm_min": self.norm_min,
            "norm_max": self.norm_max,
            "baseline": figures,
            "points": [
                {
                    "label": point["checks"][-1:].name,
                    "date": fields.Datetime.to_string(point["checks"][-1:].date_done),
                    "value": point["value"],
                    "range": point["range"],
                    "lot": point["checks"][-1:].lot_id.display_name or "",
                    "workcenter": point["checks"][-1:].workorder_id.workcenter_id.display_name
                    or "",
                    "rules": sorted(flagged.get(i, ())),
                    "range_rules": sorted(range_flagged.get(i, ())),
                }
                for i, point in enumerate(series)
            ],
            "products": [[product.id, product.display_name] for product in all_checks.product_id],
            "workcenters": [
                [wc.id, wc.display_name] for wc in all_checks.workorder_id.workcenter_id
            ],
        }
