import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { RUN_UPDATE_NOTIFICATION } from "../run_form/run_form_view";

const MATERIAL_BADGES = {
    available: "text-bg-success",
    expected: "text-bg-info",
    late: "text-bg-warning",
    unavailable: "text-bg-danger",
};

/**
 * The production panorama: orders by priority and deadline with lateness and material,
 * work in progress and load per work center, the latest plan run. One server read
 * (``med.aps.panorama.get_panorama``); refreshed when a plan run changes.
 */
export class ApsPanorama extends Component {
    static template = "med_aps.Panorama";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null, days: 7, loading: true });
        onWillStart(() => this.load());
        const busService = this.env.services.bus_service;
        const onRunUpdate = () => this.load();
        busService.subscribe(RUN_UPDATE_NOTIFICATION, onRunUpdate);
        if (!busService.isActive) {
            busService.start();
        }
        onWillUnmount(() => busService.unsubscribe(RUN_UPDATE_NOTIFICATION, onRunUpdate));
    }

    async load() {
        this.state.loading = true;
        this.state.data = await this.orm.call("med.aps.panorama", "get_panorama", [], {
            days: this.state.days,
        });
        this.state.loading = false;
    }

    async onDaysChange(ev) {
        this.state.days = parseInt(ev.target.value, 10);
        await this.load();
    }

    formatDate(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    formatHours(hours) {
        if (!hours) {
            return "";
        }
        return hours >= 48
            ? _t("%(days)s days", { days: (hours / 24).toFixed(1) })
            : _t("%(hours)s h", { hours: hours.toFixed(1) });
    }

    get shownOrdersText() {
        const data = this.state.data;
        return _t("The %(shown)s most urgent of %(open)s open orders.", {
            shown: data.orders.length,
            open: data.summary.open,
        });
    }

    runLatenessText(run) {
        if (!run.weighted_tardiness) {
            return _t("%(count)s late orders", { count: run.late_count });
        }
        return _t("%(count)s late orders, %(lateness)s of weighted lateness", {
            count: run.late_count,
            lateness: this.formatHours(run.weighted_tardiness),
        });
    }

    healthCountText(health) {
        return health.count
            ? _t("%(count)s problems between the plan and the shop floor", { count: health.count })
            : _t("The plan and the shop floor agree");
    }

    openHealth() {
        this.action.doAction("med_aps.action_med_aps_plan_issue");
    }

    openIssue(issue) {
        if (!issue.workorder_id && !issue.production_id) {
            this.openHealth();
            return;
        }
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: issue.workorder_id ? "mrp.workorder" : "mrp.production",
            res_id: issue.workorder_id || issue.production_id,
            views: [[false, "form"]],
        });
    }

    materialBadge(order) {
        return MATERIAL_BADGES[order.material_state] || "text-bg-secondary";
    }

    loadBarClass(workcenter) {
        const load = workcenter.load_percent || 0;
        return load >= 100 ? "bg-danger" : load >= 85 ? "bg-warning" : "bg-success";
    }

    openOrder(order) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "mrp.production",
            res_id: order.id,
            views: [[false, "form"]],
        });
    }

    openOrders(kind) {
        // the panorama's company only, whatever companies the switcher has selected
        const company = ["company_id", "=", this.state.data.company_id];
        const base = [company, ["state", "in", ["confirmed", "progress", "to_close"]]];
        const domains = {
            open: base,
            late: [...base, ["aps_is_late", "=", true]],
            in_progress: [company, ["state", "=", "progress"]],
            material_problems: [
                ...base,
                ["components_availability_state", "in", ["late", "unavailable"]],
            ],
            unplanned: [...base, ["aps_planned_finish", "=", false]],
        };
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Manufacturing Orders"),
            res_model: "mrp.production",
            domain: domains[kind],
            views: [
                [false, "list"],
                [false, "form"],
            ],
        });
    }

    openWorkcenter(workcenter) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: workcenter.name,
            res_model: "mrp.workorder",
            domain: [
                ["workcenter_id", "=", workcenter.id],
                ["state", "in", ["progress", "ready", "blocked"]],
            ],
            views: [
                [false, "list"],
                [false, "form"],
            ],
        });
    }

    openRun(runId) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "med.aps.run",
            res_id: runId,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("med_aps.panorama", ApsPanorama);
