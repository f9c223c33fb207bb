"""Standalone Gantt chart (one HTML file, inline SVG and CSS, no external script or font).

One row per resource unit, one colour per job, late jobs outlined in red, changeover/setup
minutes hatched at the start of a bar, batches labelled. Hovering a bar shows its details.
Times are shown as dates and clock times (UTC) from the problem's ``origin``; without an
origin, as day numbers and minutes from the start.
"""

import colorsys
import html
from datetime import timedelta, timezone

from .plan import parse_origin

MINUTES_PER_DAY = 1440
# KPIs of the plan (docs/engine-schema.md) that count minutes
MINUTE_KPIS = {"makespan", "total_weighted_tardiness", "total_tardiness", "changeover_minutes"}


def format_duration(minutes):
    """A duration a planner reads at once: ``45 min``, ``3.5 h`` or ``2.3 days``."""
    minutes = int(minutes)
    if abs(minutes) < 60:
        return f"{minutes} min"
    if abs(minutes) < 2 * MINUTES_PER_DAY:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / MINUTES_PER_DAY:.1f} days"


class TimeAxis:
    """Converts plan minutes to what the chart shows: clock times from the origin."""

    def __init__(self, origin):
        moment = parse_origin(origin)
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        self.origin = moment.astimezone(timezone.utc) if moment is not None else None

    def moment(self, minute):
        return self.origin + timedelta(minutes=minute)

    def label(self, minute):
        """Date and clock time of ``minute`` (``2026-11-25 14:30``), or ``day 2 08:30``."""
        if self.origin is None:
            day, rest = divmod(int(minute), MINUTES_PER_DAY)
            return f"day {day + 1} {rest // 60:02d}:{rest % 60:02d}"
        return self.moment(minute).strftime("%Y-%m-%d %H:%M")

    def day_label(self, minute):
        if self.origin is None:
            return f"day {int(minute) // MINUTES_PER_DAY + 1}"
        return self.moment(minute).strftime("%a %d %b")

    def first_midnight(self, minute):
        """The last midnight (UTC, or of the day count) at or before ``minute``."""
        if self.origin is None:
            return (minute // MINUTES_PER_DAY) * MINUTES_PER_DAY
        since_midnight = self.origin.hour * 60 + self.origin.minute
        return ((minute + since_midnight) // MINUTES_PER_DAY) * MINUTES_PER_DAY - since_midnight

    def span(self, start, end):
        return f"{self.label(start)} – {self.label(end)} ({format_duration(end - start)})"


def unit_labels(resources):
    """Row label of each (resource id, unit): the name, with the unit number (from 1)
    only where the resource has several identical units."""
    labels = {}
    for res in resources:
        name = res.get("name") or res["id"]
        capacity = int(res.get("capacity") or 1)
        for unit in range(capacity):
            labels[(res["id"], unit)] = name if capacity == 1 else f"{name} ({unit + 1}/{capacity})"
    return labels


def _colour(index):
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.62, 0.55)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


class _GanttChart:
    """The SVG chart of one plan: rows, day grid, bars, legend."""

    LABEL_WIDTH, ROW_HEIGHT, WIDTH = 230, 22, 1400

    def __init__(self, problem, plan):
        self.resources = problem.get("resources") or []
        self.names = {r["id"]: r.get("name") or r["id"] for r in self.resources}
        self.ops_info = {}
        for job in problem.get("jobs") or []:
            for op in job.get("operations") or []:
                self.ops_info[op["id"]] = (job["id"], op.get("name") or op["id"])
        job_ids = [j["id"] for j in problem.get("jobs") or []]
        self.colours = {jid: _colour(k) for k, jid in enumerate(job_ids)}
        self.late = {j["job"]: j for j in plan.get("jobs") or [] if (j.get("tardiness") or 0) > 0}
        self.labels = unit_labels(self.resources)
        self.axis = TimeAxis(problem.get("origin"))
        self.entries = plan.get("operations") or []
        t_min = min((e["start"] for e in self.entries), default=0)
        self.t_max = max((e["end"] for e in self.entries), default=1)
        self.t_min = min(t_min, 0)
        self.span = max(1, self.t_max - self.t_min)
        self.scale = (self.WIDTH - self.LABEL_WIDTH - 20) / self.span
        self.row_index = {key: k for k, key in enumerate(self.labels)}
        self.height = 40 + self.ROW_HEIGHT * len(self.row_index) + 30

    def x(self, t):
        return self.LABEL_WIDTH + (t - self.t_min) * self.scale

    def svg(self):
        svg = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.WIDTH}" '
            f'height="{self.height}" font-family="sans-serif" font-size="11">',
            '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="2" height="4" fill="#333" '
            'fill-opacity="0.55"/></pattern></defs>',
        ]
        svg += self._day_grid()
        svg += self._rows()
        svg += self._bars()
        svg.append(self._legend())
        svg.append("</svg>")
        return "".join(svg)

    def _day_grid(self):
        """Vertical lines at the midnights of the origin's calendar (weekly on long plans)."""
        lines = []
        step = MINUTES_PER_DAY if self.span / MINUTES_PER_DAY <= 60 else MINUTES_PER_DAY * 7
        t = self.axis.first_midnight(self.t_min)
        while t <= self.t_max:
            gx = self.x(t)
            if gx >= self.LABEL_WIDTH:
                lines.append(
                    f'<line x1="{gx:.1f}" y1="30" x2="{gx:.1f}" y2="{self.height - 25}" '
                    f'stroke="#ddd"/><text x="{gx + 2:.1f}" y="24" fill="#666">'
                    f"{html.escape(self.axis.day_label(t))}</text>"
                )
            t += step
        return lines

    def _rows(self):
        """One striped row per resource unit, its closed time shaded, its label."""
        parts = []
        row_h = self.ROW_HEIGHT
        calendars = {r["id"]: r.get("calendar") for r in self.resources}
        for (rid, u), k in self.row_index.items():
            y = 40 + k * row_h
            fill = "#f7f7f7" if k % 2 else "#ffffff"
            parts.append(
                f'<rect x="0" y="{y}" width="{self.WIDTH}" height="{row_h}" fill="{fill}"/>'
            )
            cal = calendars.get(rid)
            if cal is not None:
                parts += self._closed_time(cal, y)
            label = html.escape(self.labels[(rid, u)])
            parts.append(f'<text x="4" y="{y + 15}">{label}</text>')
        return parts

    def _closed_time(self, calendar, y):
        """Grey boxes over the time between the calendar's intervals."""
        boxes = []
        prev_end = self.t_min
        t_max = self.t_max
        for a, b in [*calendar, [max(t_max, prev_end), max(t_max, prev_end)]]:
            lo, hi = max(prev_end, self.t_min), min(a, t_max)
            if hi > lo:
                boxes.append(
                    f'<rect x="{self.x(lo):.1f}" y="{y}" width="{(hi - lo) * self.scale:.1f}" '
                    f'height="{self.ROW_HEIGHT}" fill="#e3e3e3"/>'
                )
            prev_end = max(prev_end, b)
        return boxes

    def _bars(self):
        """One bar per operation (one per batch), changeover hatched at its start."""
        parts = []
        row_h = self.ROW_HEIGHT
        batch_members = {}
        for e in self.entries:
            if e.get("batch"):
                batch_members.setdefault(e["batch"], []).append(e["op"])
        drawn_batches = set()
        for e in self.entries:
            if e.get("batch"):
                if e["batch"] in drawn_batches:
                    continue
                drawn_batches.add(e["batch"])
            k = self.row_index.get((e["resource"], e.get("unit") or 0))
            if k is None:
                continue
            y = 40 + k * row_h + 2
            x0, x1 = self.x(e["start"]), self.x(e["end"])
            w = max(1.0, x1 - x0)
            jid = self.ops_info.get(e["op"], (e.get("job"), e["op"]))[0]
            colour = self.colours.get(jid, "#999")
            stroke = (
                ' stroke="#d00000" stroke-width="2"'
                if jid in self.late
                else ' stroke="#555" stroke-width="0.5"'
            )
            tip = self._tip(e, batch_members.get(e.get("batch")))
            parts.append(
                f'<g><title>{html.escape(tip)}</title><rect x="{x0:.1f}" y="{y}" '
                f'width="{w:.1f}" height="{row_h - 4}" fill="{colour}"{stroke} rx="2"/>'
            )
            co = e.get("changeover_minutes") or 0
            if co > 0:
                cw = min(w, co * self.scale)
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y}" width="{max(1.0, cw):.1f}" '
                    f'height="{row_h - 4}" fill="url(#hatch)"/>'
                )
            text = f"batch of {len(batch_members[e['batch']])}" if e.get("batch") else e["op"]
            if len(text) * 6.5 + 4 < w:
                parts.append(
                    f'<text x="{x0 + 3:.1f}" y="{y + 13}" fill="#000">{html.escape(text)}</text>'
                )
            parts.append("</g>")
        return parts

    def _tip(self, e, batch_members):
        """What hovering the bar of plan entry ``e`` shows."""
        axis = self.axis
        jid, name = self.ops_info.get(e["op"], (e.get("job"), e["op"]))
        where = self.labels.get((e["resource"], e.get("unit") or 0), self.names.get(e["resource"]))
        if batch_members:
            tip = (
                f"batch {e['batch']} on {where} | {axis.span(e['start'], e['end'])} | "
                f"{len(batch_members)} operations: " + ", ".join(batch_members)
            )
        else:
            tip = (
                f"{e['op']} {name} | job {jid} | {where} | {axis.span(e['start'], e['end'])} | "
                f"setup {format_duration(e.get('setup_minutes') or 0)} "
                f"(changeover {format_duration(e.get('changeover_minutes') or 0)})"
            )
        late = self.late.get(jid)
        if late:
            tip += (
                f" | LATE by {format_duration(late['tardiness'])}: {late.get('late_reason') or ''}"
            )
        return tip

    def _legend(self):
        clock = "times in UTC from the plan origin; " if self.axis.origin else ""
        return (
            f'<text x="4" y="{self.height - 8}" fill="#444">{clock}bars coloured per job; red '
            "outline = late job; hatched start = changeover; grey = resource not available; "
            "hover a bar for details</text>"
        )


def render_gantt(problem: dict, plan: dict, title: str = "med-aps plan") -> str:
    """Return the HTML text of a Gantt chart of ``plan``."""
    chart = _GanttChart(problem, plan)
    axis = chart.axis
    kpis = plan.get("kpis") or {}
    kpi_text = " &middot; ".join(
        f"{html.escape(str(k).replace('_', ' '))}: "
        f"{html.escape(format_duration(v) if k in MINUTE_KPIS else str(v))}"
        for k, v in kpis.items()
    )
    late_rows = "".join(
        f"<li><b>{html.escape(str(j['job']))}</b> late by {format_duration(j['tardiness'])}: "
        f"{html.escape(str(j.get('late_reason') or ''))}</li>"
        for j in chart.late.values()
    )
    period = (
        f"<p>from {html.escape(axis.label(chart.t_min))} to "
        f"{html.escape(axis.label(chart.t_max))} (UTC)</p>"
        if axis.origin
        else ""
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:16px;color:#222}"
        ".chart{overflow-x:auto;border:1px solid #ccc}</style></head><body>"
        f"<h2>{html.escape(title)}</h2>"
        + period
        + f"<p>status {html.escape(str(plan.get('status')))} &middot; objective "
        f"{html.escape(str(plan.get('objective')))} &middot; {kpi_text}</p>"
        f"<div class='chart'>{chart.svg()}</div>"
        + (f"<h3>Late jobs</h3><ul>{late_rows}</ul>" if late_rows else "")
        + "</body></html>\n"
    )


def write_gantt(problem: dict, plan: dict, path, title: str = "med-aps plan"):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render_gantt(problem, plan, title))
    return path
