"""Benchmarks of the med_aps scheduling engine: ``med-aps bench ...`` (or
``python -m med_aps_engine.bench.run ...``). Shipped with the engine; the Odoo-side
benchmarks are the scripts of the repository's ``bench/`` folder."""

import json
import os
import re

# the source checkout holding med_aps_engine/ (its sibling ../shared/benchmarks by default)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_ENV = "MED_APS_BENCH_DATA"


class BenchDataMissing(RuntimeError):
    """The public benchmark data directory cannot be found."""


def data_dir(explicit=None):
    """Benchmark data folder: ``--data DIR``, else env ``MED_APS_BENCH_DATA``, else
    ``../shared/benchmarks`` relative to the repository root."""
    candidates = []
    if explicit:
        candidates.append(("--data", explicit))
    elif os.environ.get(DATA_ENV):
        candidates.append((DATA_ENV, os.environ[DATA_ENV]))
    else:
        candidates.append(
            ("default", os.path.join(os.path.dirname(REPO_ROOT), "shared", "benchmarks"))
        )
    source, path = candidates[0]
    if not os.path.isdir(os.path.join(path, "jsplib")) and not os.path.isdir(
        os.path.join(path, "fjsp")
    ):
        raise BenchDataMissing(
            f"benchmark data not found at {os.path.abspath(path)} (from {source}): it must hold "
            f"'jsplib/' and 'fjsp/'. Pass --data DIR or set {DATA_ENV}."
        )
    return path


def load_bks(path, key=None):
    """``{instance: upper_bound}`` from a ScheduleOpt bounds file."""
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    return {row["instance"]: row.get(key or "upper_bound") for row in rows}


_RANGE = re.compile(r"^([A-Za-z_]+?)(\d+)(\w*)-([A-Za-z_]+?)(\d+)(\w*)$")


def expand_selection(spec, available):
    """Expand ``"ta01,ta02"``, ``"ta01-ta10"`` or family names (``"ta"``, ``"la"``, ``"edata"``)
    against the ordered list ``available``. Unknown names raise ``ValueError``."""
    if not spec:
        return list(available)
    chosen = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        match = _RANGE.match(part)
        if match:
            p1, a, s1, p2, b, s2 = match.groups()
            if p1 != p2 or s1 != s2:
                raise ValueError(f"bad instance range {part!r}")
            width = len(match.group(2))
            names = [f"{p1}{str(i).zfill(width)}{s1}" for i in range(int(a), int(b) + 1)]
        elif part in available:
            names = [part]
        else:
            names = [
                n for n in available if re.match(rf"^{re.escape(part)}\d", n) or n.endswith(part)
            ]
            if not names:
                raise ValueError(f"unknown instance or family {part!r}")
        for name in names:
            if name not in available:
                raise ValueError(f"unknown instance {name!r}")
            if name not in chosen:
                chosen.append(name)
    return chosen


def engine_api():
    """``(solve, SolveOptions)`` of the engine, or ``(None, reason)`` when it is unavailable."""
    try:
        from med_aps_engine import SolveOptions, solve
    except ImportError as exc:
        return None, f"engine unavailable: {exc}"
    return solve, SolveOptions


def fmt_num(value, spec="d"):
    if value is None:
        return "-"
    if spec == "d" and isinstance(value, float):
        return format(value, ".0f") if value.is_integer() else format(value, ".2f")
    return format(value, spec)


def gap(value, best):
    if value is None or not best:
        return None
    return 100.0 * (value - best) / best


def mean(values):
    values = [x for x in values if x is not None]
    return sum(values) / len(values) if values else None


def print_table(headers, rows, out=None):
    """Print one fixed-width table (markdown-compatible)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for k, row in enumerate(cells):
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(padded) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    text = "\n".join(lines)
    print(text, file=out, flush=True)
    return text
