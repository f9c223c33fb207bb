"""Server-side SVG picture of a lot genealogy (no JavaScript needed).

Columns are levels: upstream levels on the left (negative), the traced lot
in the middle (0), downstream levels on the right (positive).
"""

from collections import defaultdict
from xml.sax.saxutils import escape

BOX_WIDTH = 170
BOX_HEIGHT = 44
COLUMN_GAP = 60
ROW_GAP = 14
MARGIN = 20
MAX_ROWS = 40
COLORS = {"root": "#714B67", "upstream": "#017E84", "downstream": "#E46E78", "hold": "#D9534F"}


def render_genealogy_svg(nodes, edges, more_label="+%s more"):
    """Return an SVG document.

    :param nodes: list of dicts ``{key, level, title, subtitle, kind, hold}``
        where ``level`` is negative upstream, 0 for the root, positive downstream.
    :param edges: list of ``(from_key, to_key)`` (from = input, to = output).
    """
    columns = defaultdict(list)
    for node in nodes:
        columns[node["level"]].append(node)
    if not columns:
        columns[0] = []
    levels = sorted(columns)
    positions = {}
    hidden = {}
    for column_index, level in enumerate(levels):
        column_nodes = sorted(columns[level], key=lambda n: (n["title"], n["key"]))
        if len(column_nodes) > MAX_ROWS:
            hidden[level] = len(column_nodes) - MAX_ROWS
            column_nodes = column_nodes[:MAX_ROWS]
        x = MARGIN + column_index * (BOX_WIDTH + COLUMN_GAP)
        for row_index, node in enumerate(column_nodes):
            y = MARGIN + 24 + row_index * (BOX_HEIGHT + ROW_GAP)
            positions[node["key"]] = (x, y, node)
    max_rows = max(
        [min(len(columns[level]), MAX_ROWS) + (1 if level in hidden else 0) for level in levels]
    )
    width = MARGIN * 2 + len(levels) * BOX_WIDTH + (len(levels) - 1) * COLUMN_GAP
    height = MARGIN * 2 + 24 + max(max_rows, 1) * (BOX_HEIGHT + ROW_GAP)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'viewBox="0 0 %d %d" font-family="sans-serif" font-size="11" '
        'class="o_med_trace_graph">' % (width, height, width, height),
        '<defs><marker id="med_arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#888"/></marker></defs>',
    ]
    for column_index, level in enumerate(levels):
        x = MARGIN + column_index * (BOX_WIDTH + COLUMN_GAP)
        out.append(
            '<text x="%d" y="%d" font-weight="bold" fill="#555">%s</text>'
            % (x, MARGIN + 8, escape("%+d" % level if level else "0"))
        )
    for source, target in edges:
        if source not in positions or target not in positions:
            continue
        x1, y1, _n = positions[source]
        x2, y2, _n = positions[target]
        if x1 < x2:
            start, end = (x1 + BOX_WIDTH, y1 + BOX_HEIGHT / 2), (x2, y2 + BOX_HEIGHT / 2)
        else:
            start, end = (x1, y1 + BOX_HEIGHT / 2), (x2 + BOX_WIDTH, y2 + BOX_HEIGHT / 2)
        out.append(
            '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888" '
            'stroke-width="1" marker-end="url(#med_arrow)"/>' % (*start, *end)
        )
    for key, (x, y, node) in positions.items():
        color = COLORS["hold"] if node.get("hold") else COLORS.get(node["kind"], "#555")
        out.append(
            '<g class="o_med_trace_node" data-key="%s"><rect x="%d" y="%d" width="%d" '
            'height="%d" rx="4" fill="#fff" stroke="%s" stroke-width="2"/>'
            % (escape(str(key)), x, y, BOX_WIDTH, BOX_HEIGHT, color)
        )
        out.append(
            '<text x="%d" y="%d" font-weight="bold" fill="%s">%s</text>'
            % (x + 6, y + 17, color, escape(_clip(node["title"])))
        )
        out.append(
            '<text x="%d" y="%d" fill="#333">%s</text></g>'
            % (x + 6, y + 34, escape(_clip(node.get("subtitle") or "")))
        )
    for column_index, level in enumerate(levels):
        if level in hidden:
            x = MARGIN + column_index * (BOX_WIDTH + COLUMN_GAP)
            y = MARGIN + 24 + MAX_ROWS * (BOX_HEIGHT + ROW_GAP) + 12
            out.append(
                '<text x="%d" y="%d" fill="#555">%s</text>'
                % (x + 6, y, escape(more_label % hidden[level]))
            )
    out.append("</svg>")
    return "".join(out)


def _clip(text, length=28):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "\u2026"
