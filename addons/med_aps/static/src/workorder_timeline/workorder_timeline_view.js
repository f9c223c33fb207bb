import { TimelineController } from "@web_timeline/views/timeline/timeline_controller.esm";
import { TimelineModel } from "@web_timeline/views/timeline/timeline_model.esm";
import { TimelineRenderer } from "@web_timeline/views/timeline/timeline_renderer.esm";
import { TimelineView } from "@web_timeline/views/timeline/timeline_view.esm";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

const { DateTime } = luxon;

/** Distinct, readable background colours; a manufacturing order keeps its colour. */
export const MO_COLORS = [
    "#8ecae6",
    "#ffb703",
    "#90be6d",
    "#f4a261",
    "#b5a8e6",
    "#f28482",
    "#84dcc6",
    "#e9c46a",
    "#a3c4f3",
    "#cdb4db",
    "#b9e769",
    "#ffcfd2",
];
const LATE_COLOR = "#dc3545";

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

function escapeText(value) {
    return [...String(value ?? "")].map((char) => HTML_ESCAPES[char] || char).join("");
}

function formatMinutes(minutes) {
    const hours = Math.floor(minutes / 60);
    const rest = Math.round(minutes % 60);
    return hours
        ? _t("%(hours)s h %(minutes)s min", { hours, minutes: String(rest).padStart(2, "0") })
        : _t("%s min", rest);
}

/**
 * Work orders on the timeline, enriched with their manufacturing order's plan data
 * (late, tardiness, due date, locked) and with the changeover/setup share of each bar.
 */
export class ApsWorkorderTimelineModel extends TimelineModel {
    async load(searchParams) {
        // the parent notifies the renderer as soon as the work orders are read: hold that
        // notification until the manufacturing order data is attached to every record
        this._apsHoldNotify = true;
        try {
            await super.load(searchParams);
        } finally {
            this._apsHoldNotify = false;
        }
        await this._apsEnrichRecords(this.data || []);
        this.notify();
    }

    notify() {
        if (!this._apsHoldNotify) {
            super.notify();
        }
    }

    async _apsEnrichRecords(records) {
        const productionIds = [
            ...new Set(
                records
                    .map((record) => record.production_id && record.production_id[0])
                    .filter(Boolean)
            ),
        ];
        const productions = {};
        if (productionIds.length) {
            const rows = await this.orm.read(
                "mrp.production",
                productionIds,
                [
                    "name",
                    "date_deadline",
                    "aps_planned_finish",
                    "aps_is_late",
                    "aps_tardiness_hours",
                    "aps_late_reason",
                    "aps_locked",
                ],
                { context: { active_test: false } }
            );
            for (const row of rows) {
                productions[row.id] = row;
            }
        }
        for (const record of records) {
            const productionId = record.production_id && record.production_id[0];
            const production = productions[productionId] || {};
            record.aps_mo = production;
            record.aps_mo_late = Boolean(production.aps_is_late);
            record.aps_any_locked = Boolean(record.aps_locked || production.aps_locked);
            record.aps_color = MO_COLORS[(productionId || 0) % MO_COLORS.length];
            // the plan's setup minutes include the changeover from the previous work order
            const setup = Math.max(
                record.aps_setup_minutes || 0,
                record.aps_changeover_minutes || 0
            );
            let total = 0;
            if (record.date_start && record.date_finished) {
                const start = DateTime.fromSQL(record.date_start, { zone: "utc" });
                const stop = DateTime.fromSQL(record.date_finished, { zone: "utc" });
                total = stop.diff(start, "minutes").minutes;
            }
            record.aps_setup_total = setup;
            record.aps_changeover_label = record.aps_changeover_minutes
                ? _t("+%s min", record.aps_changeover_minutes)
                : "";
            record.aps_setup_pct = total > 0 ? Math.min(100, (100 * setup) / total) : 0;
        }
    }

    _apsTooltip(record) {
        const production = record.aps_mo || {};
        const lines = [
            `<b>${escapeText(record.name)}</b> · ${escapeText(production.name || "")}`,
            escapeText(record.product_id ? record.product_id[1] : ""),
        ];
        if (record.aps_setup_family_id) {
            lines.push(
                escapeText(_t("Setup family: %s", record.aps_setup_family_id[1]))
            );
        }
        if (record.aps_changeover_minutes) {
            lines.push(
                escapeText(
                    _t("Changeover: %s", formatMinutes(record.aps_changeover_minutes))
                )
            );
        }
        if (record.aps_setup_total > (record.aps_changeover_minutes || 0)) {
            lines.push(
                escapeText(
                    _t("Setup incl. changeover: %s", formatMinutes(record.aps_setup_total))
                )
            );
        }
        if (record.aps_batch_ref) {
            lines.push(escapeText(_t("Batch cycle: %s", record.aps_batch_ref)));
        }
        if (production.date_deadline) {
            const due = DateTime.fromSQL(production.date_deadline, { zone: "utc" })
                .setZone("default")
                .toFormat("yyyy-MM-dd HH:mm");
            lines.push(escapeText(_t("Due: %s", due)));
        }
        if (record.aps_mo_late) {
            lines.push(
                escapeText(
                    _t(
                        "LATE by %s",
                        formatMinutes(Math.round((production.aps_tardiness_hours || 0) * 60))
                    )
                )
            );
            if (production.aps_late_reason) {
                lines.push(escapeText(production.aps_late_reason));
            }
        }
        if (record.aps_any_locked) {
            lines.push(escapeText(_t("Locked: kept as is by replanning")));
        }
        // one <div> per line: the timeline's HTML filter only lets div, span, small and b through
        return lines
            .filter(Boolean)
            .map((line) => `<div>${line}</div>`)
            .join("");
    }

    _event_data_transform(record) {
        const item = super._event_data_transform(record);
        const classes = ["o_med_aps_wo"];
        if (record.aps_mo_late) {
            classes.push("o_med_aps_late");
        }
        if (record.aps_any_locked) {
            classes.push("o_med_aps_locked");
        }
        if (record.aps_setup_total) {
            classes.push("o_med_aps_has_setup");
        }
        if (record.aps_batch_ref) {
            classes.push("o_med_aps_batch");
        }
        if (record.state === "progress") {
            classes.push("o_med_aps_in_progress");
        }
        item.className = classes.join(" ");
        const color = record.aps_color || MO_COLORS[0];
        const border = record.aps_mo_late ? LATE_COLOR : color;
        // the changeover and setup time is the hatched head of the bar
        const setupPct = (record.aps_setup_pct || 0).toFixed(2);
        item.style =
            `background-color: ${color}; border-color: ${border};` +
            (record.aps_setup_total
                ? ` background-image: repeating-linear-gradient(135deg, rgba(0,0,0,0.35) 0 3px, transparent 3px 6px); background-size: ${setupPct}% 100%; background-repeat: no-repeat;`
                : "");
        item.title = this._apsTooltip(record);
        return item;
    }
}

/** A click on a work order opens it; the timeline is read-only (plans come from runs). */
export class ApsWorkorderTimelineRenderer extends TimelineRenderer {
    static template = "med_aps.WorkorderTimelineRenderer";

    on_timeline_click(e) {
        if (e.what === "item" && e.item) {
            this.props.onItemDoubleClick(e);
            return;
        }
        super.on_timeline_click(e);
    }

    on_timeline_double_click(e) {
        if (e.what === "item") {
            // already opened by the single click
            return;
        }
        super.on_timeline_double_click(e);
    }
}

/** Opens the work order form (the generic controller passes a prop Odoo 19 forms refuse). */
export class ApsWorkorderTimelineController extends TimelineController {
    openItem(itemId) {
        const resId = Number(itemId) || itemId;
        return this.env.services.action.switchView("form", { resId });
    }
}

export const apsWorkorderTimelineView = {
    ...TimelineView,
    Controller: ApsWorkorderTimelineController,
    Model: ApsWorkorderTimelineModel,
    Renderer: ApsWorkorderTimelineRenderer,
};

registry.category("views").add("med_aps_workorder_timeline", apsWorkorderTimelineView);
