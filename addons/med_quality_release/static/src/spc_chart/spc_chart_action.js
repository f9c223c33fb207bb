import { Component, onWillStart, onWillUnmount, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { serializeDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/core/utils/numbers";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const COLORS = {
    value: "#1f77b4",
    violation: "#d62728",
    center: "#2ca02c",
    control: "#d62728",
    spec: "#ff7f0e",
};

/**
 * Control chart of a measurement control point: the plotted values (individuals or
 * subgroup means) with the center line and control limits of the frozen baseline and
 * the specification limits, then the moving range or range chart. Points where a run
 * rule pattern completes are drawn in red.
 */
export class SpcChartAction extends Component {
    static template = "med_quality_release.SpcChartAction";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.valueCanvas = useRef("valueCanvas");
        this.rangeCanvas = useRef("rangeCanvas");
        this.charts = [];
        const params = this.props.action.params || {};
        const context = this.props.action.context || {};
        this.pointId = params.point_id || context.active_id;
        this.state = useState({
            data: null,
            dateFrom: "",
            dateTo: "",
            productId: "",
            workcenterId: "",
        });
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        useEffect(
            () => this.renderCharts(),
            () => [this.state.data]
        );
        onWillUnmount(() => this.destroyCharts());
    }

    async load() {
        if (!this.pointId) {
            return;
        }
        this.state.data = await this.orm.call(
            "med.quality.point",
            "med_spc_chart_data",
            [[this.pointId]],
            {
                date_from: this.state.dateFrom
                    ? serializeDateTime(luxon.DateTime.fromISO(this.state.dateFrom).startOf("day"))
                    : false,
                date_to: this.state.dateTo
                    ? serializeDateTime(luxon.DateTime.fromISO(this.state.dateTo).endOf("day"))
                    : false,
                product_id: this.state.productId ? parseInt(this.state.productId) : false,
                workcenter_id: this.state.workcenterId
                    ? parseInt(this.state.workcenterId)
                    : false,
            }
        );
    }

    get isSubgroup() {
        return this.state.data?.chart_type === "xbar_r";
    }

    get valueTitle() {
        return this.isSubgroup ? _t("Subgroup Means (X-bar)") : _t("Individuals (I)");
    }

    get rangeTitle() {
        return this.isSubgroup ? _t("Subgroup Ranges (R)") : _t("Moving Ranges (MR)");
    }

    get violations() {
        return (this.state.data?.points || []).filter(
            (point) => point.rules.length || point.range_rules.length
        );
    }

    format(value, digits = 4) {
        return value === null || value === undefined ? "" : formatFloat(value, { digits: [16, digits] });
    }

    async onFilterChange(field, ev) {
        this.state[field] = ev.target.value;
        await this.load();
    }

    openPoint() {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "med.quality.point",
            res_id: this.pointId,
            views: [[false, "form"]],
        });
    }

    exportCsv() {
        const data = this.state.data;
        const baseline = data.baseline || {};
        const rows = [
            [
                _t("Measurement"),
                _t("Date"),
                _t("Lot"),
                _t("Work Center"),
                this.valueTitle,
                this.rangeTitle,
                _t("Center Line"),
                _t("Lower Control Limit"),
                _t("Upper Control Limit"),
                _t("Lower Specification Limit"),
                _t("Upper Specification Limit"),
                _t("Run Rules"),
            ],
            ...data.points.map((point) => [
                point.label,
                point.date,
                point.lot,
                point.workcenter,
                point.value,
                point.range ?? "",
                baseline.center ?? "",
                baseline.lcl ?? "",
                baseline.ucl ?? "",
                data.norm_min,
                data.norm_max,
                [...point.rules, ...point.range_rules].join(" "),
            ]),
        ];
        const csv = rows
            .map((row) => row.map((cell) => `"${String(cell).replaceAll('"', '""')}"`).join(","))
            .join("\n");
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
        link.download = `${data.point}.csv`;
        link.click();
        URL.revokeObjectURL(link.href);
    }

    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    line(label, value, count, color, dash) {
        return {
            label,
            data: Array(count).fill(value),
            borderColor: color,
            borderDash: dash,
            borderWidth: 1.5,
            pointRadius: 0,
            fill: false,
        };
    }

    renderCharts() {
        this.destroyCharts();
        const data = this.state.data;
        if (!data || !data.points.length || !this.valueCanvas.el) {
            return;
        }
        const labels = data.points.map((point) => point.label);
        const count = labels.length;
        const baseline = data.baseline;
        const valueSets = [
            {
                label: this.valueTitle,
                data: data.points.map((point) => point.value),
                borderColor: COLORS.value,
                pointBackgroundColor: data.points.map((point) =>
                    point.rules.length ? COLORS.violation : COLORS.value
                ),
                pointRadius: data.points.map((point) => (point.rules.length ? 6 : 3)),
                fill: false,
            },
            this.line(_t("Lower Specification Limit"), data.norm_min, count, COLORS.spec, [2, 2]),
            this.line(_t("Upper Specification Limit"), data.norm_max, count, COLORS.spec, [2, 2]),
        ];
        const rangeSets = [
            {
                label: this.rangeTitle,
                data: data.points.map((point) => point.range),
                borderColor: COLORS.value,
                pointBackgroundColor: data.points.map((point) =>
                    point.range_rules.length ? COLORS.violation : COLORS.value
                ),
                pointRadius: data.points.map((point) => (point.range_rules.length ? 6 : 3)),
                fill: false,
            },
        ];
        if (baseline) {
            valueSets.push(
                this.line(_t("Center Line"), baseline.center, count, COLORS.center, []),
                this.line(_t("Lower Control Limit"), baseline.lcl, count, COLORS.control, [6, 4]),
                this.line(_t("Upper Control Limit"), baseline.ucl, count, COLORS.control, [6, 4])
            );
            rangeSets.push(
                this.line(_t("Center Line"), baseline.r_center, count, COLORS.center, []),
                this.line(_t("Upper Control Limit"), baseline.r_ucl, count, COLORS.control, [6, 4])
            );
        }
        const options = (key) => ({
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            plugins: {
                tooltip: {
                    callbacks: {
                        afterBody: (items) => {
                            const point = data.points[items[0].dataIndex];
                            const lines = [point.date, point.lot, point.workcenter].filter(Boolean);
                            if (point[key].length) {
                                lines.push(_t("Run rules: %s", point[key].join(", ")));
                            }
                            return lines;
                        },
                    },
                },
            },
        });
        this.charts.push(
            new window.Chart(this.valueCanvas.el, {
                type: "line",
                data: { labels, datasets: valueSets },
                options: options("rules"),
            }),
            new window.Chart(this.rangeCanvas.el, {
                type: "line",
                data: { labels, datasets: rangeSets },
                options: options("range_rules"),
            })
        );
    }
}

registry.category("actions").add("med_quality_release.spc_chart", SpcChartAction);
