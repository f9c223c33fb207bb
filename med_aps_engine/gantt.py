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


def render_gantt(problem: dict, plan: dict, title: str = "med-aps plan") -> str:
    """Return the HTML text of a Gantt chart of ``plan``."""
    resources = problem.get("resources") or []
    names = {r["id"]: r.get("name") or r["id"] for r in resources}
    ops_info = {}
    for job in problem.get("jobs") or []:
        for op in job.get("operations") or []:
            ops_info[op["id"]] = (job["id"], op.get("name") or op["id"])
    job_ids = [j["id"] for j in problem.get("jobs") or []]
    colours = {jid: _colour(k) for k, jid in enumerate(job_ids)}
    late = {j["job"]: j for j in plan.get("jobs") or [] if (j.get("tardiness") or 0) > 0}
    labels = unit_labels(resources)
    rows = list(labels)
    axis = TimeAxis(problem.get("origin"))
    entries = plan.get("operations") or []
    t_min = min((e["start"] for e in entries), default=0)
    t_max = max((e["end"] for e in entries), default=1)
    t_min = min(t_min, 0)
    span = max(1, t_max - t_min)
    label_w, row_h, width = 230, 22, 1400
    scale = (width - label_w - 20) / span
    height = 40 + row_h * len(rows) + 30
    row_index = {key: k for k, key in enumerate(rows)}

    def x(t):
        return label_w + (t - t_min) * scale

    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="4" fill="#333" '
        'fill-opacity="0.55"/></pattern></defs>',
    ]
    # day grid, at midnights of the origin's calendar
    step = MINUTES_PER_DAY if span / MINUTES_PER_DAY <= 60 else MINUTES_PER_DAY * 7
    t = axis.first_midnight(t_min)
    while t <= t_max:
        gx = x(t)
        if gx >= label_w:
            svg.append(
                f'<line x1="{gx:.1f}" y1="30" x2="{gx:.1f}" y2="{height - 25}" stroke="#ddd"/>'
                f'<text x="{gx + 2:.1f}" y="24" fill="#666">{html.escape(axis.day_label(t))}'
                "</text>"
            )
        t += step
    calendars = {r["id"]: r.get("calendar") for r in resources}
    for (rid, u), k in row_index.items():
        y = 40 + k * row_h
        fill = "#f7f7f7" if k % 2 else "#ffffff"
        svg.append(f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="{fill}"/>')
        cal = calendars.get(rid)
        if cal is not None:  # shade the time the resource is not available
            prev_end = t_min
            for a, b in [*cal, [max(t_max, prev_end), max(t_max, prev_end)]]:
                lo, hi = max(prev_end, t_min), min(a, t_max)
                if hi > lo:
                    svg.append(
                        f'<rect x="{x(lo):.1f}" y="{y}" width="{(hi - lo) * scale:.1f}" '
                        f'height="{row_h}" fill="#e3e3e3"/>'
                    )
                prev_end = max(prev_end, b)
        label = html.escape(labels[(rid, u)])
        svg.append(f'<text x="4" y="{y + 15}">{label}</text>')
    batch_members = {}
    for e in entries:
        if e.get("batch"):
            batch_members.setdefault(e["batch"], []).append(e["op"])
    drawn_batches = set()
    for e in entries:
        if e.get("batch"):
            if e["batch"] in drawn_batches:
                continue
            drawn_batches.add(e["batch"])
        k = row_index.get((e["resource"], e.get("unit") or 0))
        if k is None:
            continue
        y = 40 + k * row_h + 2
        x0, x1 = x(e["start"]), x(e["end"])
        w = max(1.0, x1 - x0)
        jid, name = ops_info.get(e["op"], (e.get("job"), e["op"]))
        colour = colours.get(jid, "#999")
        is_late = jid in late
        stroke = (
            ' stroke="#d00000" stroke-width="2"' if is_late else ' stroke="#555" stroke-width="0.5"'
        )
        where = labels.get((e["resource"], e.get("unit") or 0), names.get(e["resource"]))
        tip = (
            f"{e['op']} {name} | job {jid} | {where} | {axis.span(e['start'], e['end'])} | "
            f"setup {format_duration(e.get('setup_minutes') or 0)} "
            f"(changeover {format_duration(e.get('changeover_minutes') or 0)})"
        )
        if e.get("batch"):
            members = batch_members[e["batch"]]
            tip = (
                f"batch {e['batch']} on {where} | {axis.span(e['start'], e['end'])} | "
                f"{len(members)} operations: " + ", ".join(members)
            )
        if is_late:
            tip += (
                f" | LATE by {format_duration(late[jid]['tardiness'])}: "
                f"{late[jid].get('late_reason') or ''}"
            )
        svg.append(
            f'<g><title>{html.escape(tip)}</title><rect x="{x0:.1f}" y="{y}" width="{w:.1f}" '
            f'height="{row_h - 4}" fill="{colour}"{stroke} rx="2"/>'
        )
        co = e.get("changeover_minutes") or 0
        if co > 0:
            cw = min(w, co * scale)
            svg.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(1.0, cw):.1f}" height="{row_h - 4}" '
                f'fill="url(#hatch)"/>'
            )
        text = f"batch of {len(batch_members[e['batch']])}" if e.get("batch") else e["op"]
        if len(text) * 6.5 + 4 < w:
            svg.append(
                f'<text x="{x0 + 3:.1f}" y="{y + 13}" fill="#000">{html.escape(text)}</text>'
            )
        svg.append("</g>")
    clock = "times in UTC from the plan origin; " if axis.origin else ""
    svg.append(
        f'<text x="4" y="{height - 8}" fill="#444">{clock}bars coloured per job; red outline = '
        "late job; hatched start = changeover; grey = resource not available; hover a bar for "
        "details</text>"
    )
    svg.append("</svg>")
    kpis = plan.get("kpis") or {}
    kpi_text = " &middot; ".join(
        f"{html.escape(str(k).replace('_', ' '))}: "
        f"{html.escape(format_duration(v) if k in MINUTE_KPIS else str(v))}"
        for k, v in kpis.items()
    )
    late_rows = "".join(
        f"<li><b>{html.escape(str(j['job']))}</b> late by {format_duration(j['tardiness'])}: "
        f"{html.escape(str(j.get('late_reason') or ''))}</li>"
        for j in late.values()
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:16px;color:#222}"
        ".chart{overflow-x:auto;border:1px solid #ccc}</style></head><body>"
        f"<h2>{html.escape(title)}</h2>"
        + (
            f"<p>from {html.escape(axis.label(t_min))} to {html.escape(axis.label(t_max))} "
            "(UTC)</p>"
            if axis.origin
            else ""
        )
        + f"<p>status {html.escape(str(plan.get('status')))} &middot; objective "
        f"{html.escape(str(plan.get('objective')))} &middot; {kpi_text}</p>"
        f"<div class='chart'>{''.join(svg)}</div>"
        + (f"<h3>Late jobs</h3><ul>{late_rows}</ul>" if late_rows else "")
        + "</body></html>\n"
    )


def write_gantt(problem: dict, plan: dict, path, title: str = "med-aps plan"):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render_gantt(problem, plan, title))
    return path
