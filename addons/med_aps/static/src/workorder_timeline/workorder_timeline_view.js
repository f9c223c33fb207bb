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
const BREAK_COLOR = "rgba(255,255,255,0.75)";
const PLAN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Lane key: the work center, and the unit (1-based) on a multi-unit work center. */
function laneKey(workcenterId, unit, units) {
    return units > 1 ? `${workcenterId}:${unit}` : `${workcenterId}`;
}

/** The lane of a work order: its work center, and its unit on a multi-unit one. */
export function laneId(record, workcenters) {
    const workcenter = record.workcenter_id;
    if (!workcenter) {
        return false;
    }
    const units = Math.max(1, (workcenters[workcenter[0]] || {}).aps_parallel_capacity || 1);
    return laneKey(workcenter[0], Math.min(units, Math.max(1, record.aps_unit || 1)), units);
}

/**
 * Axis labels in the user's language (luxon follows Odoo's locale), not vis' English:
 * [minor label, major label] formats per vis time scale.
 */
const AXIS_FORMATS = {
    millisecond: [DateTime.TIME_24_SIMPLE, DateTime.DATE_HUGE],
    second: [DateTime.TIME_24_SIMPLE, DateTime.DATE_HUGE],
    minute: [DateTime.TIME_24_SIMPLE, DateTime.DATE_HUGE],
    hour: [DateTime.TIME_24_SIMPLE, DateTime.DATE_HUGE],
    weekday: [{ weekday: "short", day: "numeric" }, { year: "numeric", month: "long" }],
    day: [{ day: "numeric" }, { year: "numeric", month: "long" }],
    week: [{ month: "short", day: "numeric" }, { year: "numeric", month: "long" }],
    month: [{ month: "short" }, { year: "numeric" }],
    year: [{ year: "numeric" }, null],
};

function axisLabel(date, scale, major) {
    const format = (AXIS_FORMATS[scale] || AXIS_FORMATS.year)[major ? 1 : 0];
    if (!format) {
        return "";
    }
    return DateTime.fromJSDate(date.toDate ? date.toDate() : new Date(date)).toLocaleString(format);
}

const formatMinorLabel = (date, scale) => axisLabel(date, scale, false);
const formatMajorLabel = (date, scale) => axisLabel(date, scale, true);

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
        // the orders and the work centers are read side by side: each is a round trip
        const [rows] = await Promise.all([
            productionIds.length
                ? this.orm.read(
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
                  )
                : [],
            this._apsLoadWorkcenters(records),
        ]);
        for (const row of rows) {
            productions[row.id] = row;
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
            record.aps_lane = laneId(record, this.apsWorkcenters);
        }
    }

    /** Capacity (units) and working hours of the work centers of the loaded work orders. */
    async _apsLoadWorkcenters(records) {
        this.apsWorkcenters = {};
        this.apsWorkingHours = {};
        const workcenterIds = [
            ...new Set(
                records
                    .map((record) => record.workcenter_id && record.workcenter_id[0])
                    .filter(Boolean)
            ),
        ];
        if (!workcenterIds.length) {
            return;
        }
        const dated = records.filter((record) => record.date_start && record.date_finished);
        const workcentersRead = this.orm.read(
            "mrp.workcenter",
            workcenterIds,
            ["display_name", "aps_parallel_capacity"],
            { context: { active_test: false } }
        );
        let hoursRead = Promise.resolve(null);
        let from;
        let to;
        if (dated.length) {
            const first = dated.reduce((a, b) => (a.date_start < b.date_start ? a : b))
                .date_start;
            const last = dated.reduce((a, b) => (a.date_finished > b.date_finished ? a : b))
                .date_finished;
            // a margin of a week around the plan: the user scrolls a little beyond it
            from = DateTime.fromSQL(first, { zone: "utc" }).minus({ days: 7 });
            to = DateTime.fromSQL(last, { zone: "utc" }).plus({ days: 7 });
            hoursRead = this.orm.call("mrp.workcenter", "aps_timeline_working_intervals", [
                workcenterIds,
                from.toFormat("yyyy-MM-dd HH:mm:ss"),
                to.toFormat("yyyy-MM-dd HH:mm:ss"),
            ]);
        }
        // side by side: the working hours do not depend on what the work centers read says
        const [rows, hours] = await Promise.all([workcentersRead, hoursRead]);
        for (const row of rows) {
            this.apsWorkcenters[row.id] = row;
        }
        if (!hours) {
            return;
        }
        this.apsWindow = { from: from.toJSDate(), to: to.toJSDate() };
        for (const [workcenterId, spans] of Object.entries(hours)) {
            this.apsWorkingHours[workcenterId] = spans.map(([start, stop]) => [
                DateTime.fromSQL(start, { zone: "utc" }).toMillis(),
                DateTime.fromSQL(stop, { zone: "utc" }).toMillis(),
            ]);
        }
    }

    /** Closed (non-working) periods of a work center between two instants (ms). */
    apsClosedPeriods(workcenterId, from, to) {
        const spans = this.apsWorkingHours[workcenterId];
        if (!spans) {
            return [];
        }
        const closed = [];
        let cursor = from;
        for (const [start, stop] of spans) {
            if (stop <= cursor) {
                continue;
            }
            if (start >= to) {
                break;
            }
            if (start > cursor) {
                closed.push([cursor, Math.min(start, to)]);
            }
            cursor = Math.max(cursor, stop);
        }
        if (cursor < to) {
            closed.push([cursor, to]);
        }
        return closed;
    }

    /** The lanes of the timeline: one per work center, one per unit of a multi-unit one. */
    apsLanes(records) {
        const lanes = new Map();
        for (const record of records) {
            const workcenter = record.workcenter_id;
            if (!workcenter || lanes.has(record.aps_lane)) {
                continue;
            }
            const info = this.apsWorkcenters[workcenter[0]] || {};
            const units = Math.max(1, info.aps_parallel_capacity || 1);
            for (let unit = 1; unit <= units; unit++) {
                const id = laneKey(workcenter[0], unit, units);
                lanes.set(id, {
                    id,
                    workcenterId: workcenter[0],
                    content:
                        units > 1
                            ? escapeText(_t("%(workcenter)s · unit %(unit)s", {
                                  workcenter: workcenter[1],
                                  unit,
                              }))
                            : escapeText(workcenter[1]),
                    sortKey: [workcenter[1], unit],
                });
            }
        }
        const sorted = [...lanes.values()].sort((a, b) =>
            a.sortKey[0] === b.sortKey[0]
                ? a.sortKey[1] - b.sortKey[1]
                : a.sortKey[0].localeCompare(b.sortKey[0])
        );
        return sorted.map((lane, order) => ({ ...lane, order, className: "o_med_aps_lane" }));
    }

    /** Shaded closed time of each lane, as vis background items. */
    apsClosedItems(lanes) {
        if (!this.apsWindow) {
            return [];
        }
        const from = this.apsWindow.from.getTime();
        const to = this.apsWindow.to.getTime();
        const items = [];
        for (const lane of lanes) {
            for (const [start, stop] of this.apsClosedPeriods(lane.workcenterId, from, to)) {
                items.push({
                    id: `closed:${lane.id}:${start}`,
                    group: lane.id,
                    start: new Date(start),
                    end: new Date(stop),
                    type: "background",
                    className: "o_med_aps_closed",
                });
            }
        }
        return items;
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
        if (record.aps_plan_issue_note) {
            lines.push(escapeText(_t("Plan check: %s", record.aps_plan_issue_note)));
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
        if (record.aps_plan_issue_note) {
            classes.push("o_med_aps_plan_issue");
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
        if (record.aps_lane) {
            item.group = record.aps_lane;
        }
        const color = record.aps_color || MO_COLORS[0];
        const border = record.aps_mo_late ? LATE_COLOR : color;
        const layers = [];
        // the breaks of interruptible work: closed time inside the bar, drawn pale
        const breaks = this._apsBreakStops(record);
        if (breaks.length) {
            classes.push("o_med_aps_interrupted");
            const stops = breaks
                .map(([a, b]) => `transparent ${a}%, ${BREAK_COLOR} ${a}%, ${BREAK_COLOR} ${b}%, transparent ${b}%`)
                .join(", ");
            layers.push([`linear-gradient(to right, ${stops})`, "100% 100%"]);
        }
        // the changeover and setup time is the hatched head of the bar
        if (record.aps_setup_total) {
            const setupPct = (record.aps_setup_pct || 0).toFixed(2);
            layers.push([
                "repeating-linear-gradient(135deg, rgba(0,0,0,0.35) 0 3px, transparent 3px 6px)",
                `${setupPct}% 100%`,
            ]);
        }
        item.className = classes.join(" ");
        item.style = `background-color: ${color}; border-color: ${border};`;
        if (layers.length) {
            item.style +=
                ` background-image: ${layers.map(([image]) => image).join(", ")};` +
                ` background-size: ${layers.map(([, size]) => size).join(", ")};` +
                " background-repeat: no-repeat;";
        }
        item.title = this._apsTooltip(record);
        return item;
    }

    /** [[from %, to %], ...] of the closed periods inside a work order's bar. */
    _apsBreakStops(record) {
        if (!record.date_start || !record.date_finished || !record.workcenter_id) {
            return [];
        }
        const start = DateTime.fromSQL(record.date_start, { zone: "utc" }).toMillis();
        const stop = DateTime.fromSQL(record.date_finished, { zone: "utc" }).toMillis();
        if (stop <= start) {
            return [];
        }
        return this.apsClosedPeriods(record.workcenter_id[0], start, stop).map(([a, b]) => [
            ((100 * (a - start)) / (stop - start)).toFixed(2),
            ((100 * (b - start)) / (stop - start)).toFixed(2),
        ]);
    }
}

/** A click on a work order opens it; the timeline is read-only (plans come from runs). */
export class ApsWorkorderTimelineRenderer extends TimelineRenderer {
    static template = "med_aps.WorkorderTimelineRenderer";

    init_timeline() {
        Object.assign(this.options, {
            // a lane per unit never holds two work orders at once: a long label is cut,
            // it never pushes its bar into a new row
            stack: false,
            // down to an hour: a shift fills the screen
            zoomMin: 60 * 60 * 1000,
            format: { minorLabels: formatMinorLabel, majorLabels: formatMajorLabel },
        });
        super.init_timeline();
    }

    async split_groups(records) {
        if (this.model.last_group_bys[0] !== "workcenter_id") {
            const groups = await super.split_groups(records);
            // no empty "unassigned" row when every work order has a value
            return groups.filter(
                (group) => group.id !== -1 || records.some((r) => !r[this.model.last_group_bys[0]])
            );
        }
        return this.model.apsLanes(records);
    }

    async on_data_loaded(records, adjust_window) {
        await super.on_data_loaded(records, false);
        const lanes = this.timeline.groupsData ? this.timeline.groupsData.get() : [];
        if (this.model.last_group_bys[0] === "workcenter_id") {
            this.timeline.itemsData.add(this.model.apsClosedItems(lanes));
        }
        const adjust = typeof adjust_window === "undefined" || adjust_window;
        if (adjust) {
            this._apsOpenOnPlan(records);
        }
    }

    /** The window opens on the plan: its first week at most. */
    _apsOpenOnPlan(records) {
        const dated = records.filter((record) => record.date_start && record.date_finished);
        if (!dated.length) {
            return;
        }
        const starts = dated.map((r) => DateTime.fromSQL(r.date_start, { zone: "utc" }).toMillis());
        const ends = dated.map((r) => DateTime.fromSQL(r.date_finished, { zone: "utc" }).toMillis());
        const first = Math.min(...starts);
        const last = Math.min(Math.max(...ends), first + PLAN_WINDOW_MS);
        const margin = Math.max((last - first) * 0.02, 30 * 60 * 1000);
        this.timeline.setWindow(new Date(first - margin), new Date(last + margin), {
            animation: false,
        });
    }

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
