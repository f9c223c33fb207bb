"""Readers for the public scheduling benchmark formats and the benchmark plan summary.

* ``read_jsplib(path)``: the standard job-shop text format (``n m`` then one line per job of
  ``machine duration`` pairs, machines 0-based, ``#`` comment lines allowed).
* ``read_fjsp(path)``: the Brandimarte flexible job-shop format (``n m [avg]`` then one line per
  job: ``k`` operations, each ``c`` followed by ``c`` pairs ``machine duration``, machines
  1-based; the optional third header value is informational and ignored).

Both return a schema-v1 problem dict (see ``docs/engine-schema.md``): resources ``M<n>`` (``n`` as
in the file) with capacity 1 and no calendar, jobs ``J<j>`` and operations ``J<j>.<o>`` (0-based)
chained in routing order, objective ``{"makespan": 1}`` and ``due`` null.
``benchmark_summary(problem, plan, fmt)`` turns a plan back into the benchmark summary
``{"makespan", "status", "bound", "operations": [{"job", "op", "machine", "start", "end"}]}``.
"""

import os

from .builders import make_mode, make_operation

FORMATS = ("jsplib", "fjsp")
BENCHMARK_ORIGIN = "2026-01-05T00:00:00Z"


class BenchmarkFormatError(ValueError):
    """A benchmark file does not follow its format; the message names file and line."""


class _Tokens:
    """Integer tokens of a text file with their line numbers, comment lines skipped."""

    def __init__(self, path):
        self.name = os.path.basename(str(path))
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise BenchmarkFormatError(f"{self.name}: cannot read file: {exc}") from exc
        self.lines = []  # (line number, [tokens])
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            self.lines.append((number, stripped.split()))
        self.flat = [(number, tok) for number, toks in self.lines for tok in toks]
        self.pos = 0
        self.last_line = self.lines[-1][0] if self.lines else 0

    def error(self, line, message):
        return BenchmarkFormatError(f"{self.name}, line {line}: {message}")

    def peek_line(self):
        return self.flat[self.pos][0] if self.pos < len(self.flat) else self.last_line

    def int(self, what, minimum=None):
        if self.pos >= len(self.flat):
            raise self.error(self.last_line, f"unexpected end of file while reading {what}")
        line, tok = self.flat[self.pos]
        self.pos += 1
        try:
            value = int(tok)
        except ValueError:
            raise self.error(line, f"{what}: expected an integer, found {tok!r}") from None
        if minimum is not None and value < minimum:
            raise self.error(line, f"{what}: {value} must be >= {minimum}")
        return value

    def skip(self):
        self.pos += 1

    def expect_end(self):
        if self.pos < len(self.flat):
            line, tok = self.flat[self.pos]
            raise self.error(line, f"unexpected extra data {tok!r} after the last job")


def _problem(n_machines, first_machine, jobs_modes):
    """Build the schema-v1 problem from ``jobs_modes[j][o] = [(machine, duration), ...]``."""
    resources = [
        {
            "id": f"M{k}",
            "name": f"Machine {k}",
            "capacity": 1,
            "efficiency": 100,
            "calendar": None,
            "changeover": {"default": 0, "rules": []},
            "batch": None,
        }
        for k in range(first_machine, first_machine + n_machines)
    ]
    jobs = []
    horizon = 0
    for j, job_modes in enumerate(jobs_modes):
        operations = []
        for o, modes in enumerate(job_modes):
            horizon += max(d for _m, d in modes)
            operations.append(
                make_operation(
                    f"J{j}.{o}",
                    [make_mode(f"M{m}", d) for m, d in modes],
                    predecessors=(
                        [{"op": f"J{j}.{o - 1}", "min_lag": 0, "max_lag": None}] if o else []
                    ),
                )
            )
        jobs.append(
            {
                "id": f"J{j}",
                "name": f"J{j}",
                "release": 0,
                "due": None,
                "weight": 1,
                "operations": operations,
            }
        )
    return {
        "schema_version": 1,
        "origin": BENCHMARK_ORIGIN,
        "horizon": max(horizon, 1),
        "resources": resources,
        "jobs": jobs,
        "previous_plan": {},
        "frozen_until": None,
        "objective": {
            "weighted_tardiness": 0,
            "makespan": 1,
            "flow_time": 0,
            "changeover": 0,
            "stability": 0,
        },
    }


def read_jsplib(path) -> dict:
    """Read a job-shop instance in the standard (JSPLIB / OR-Library) text format."""
    toks = _Tokens(path)
    n = toks.int("number of jobs", 1)
    m = toks.int("number of machines", 1)
    jobs = []
    for j in range(n):
        line = toks.peek_line()
        ops = []
        seen = set()
        for o in range(m):
            machine = toks.int(f"job {j} operation {o} machine", 0)
            duration = toks.int(f"job {j} operation {o} duration", 0)
            if machine >= m:
                raise toks.error(
                    line, f"job {j} operation {o}: machine {machine} outside 0..{m - 1}"
                )
            if machine in seen:
                raise toks.error(line, f"job {j} visits machine {machine} twice")
            seen.add(machine)
            ops.append([(machine, duration)])
        jobs.append(ops)
    toks.expect_end()
    return _problem(m, 0, jobs)


def read_fjsp(path) -> dict:
    """Read a flexible job-shop instance in the Brandimarte text format."""
    toks = _Tokens(path)
    if not toks.lines:
        raise toks.error(0, "empty file: expected header 'jobs machines [average]'")
    header_line, header = toks.lines[0]
    if len(header) not in (2, 3):
        raise toks.error(
            header_line, f"header must be 'jobs machines [average]', found {' '.join(header)!r}"
        )
    n = toks.int("number of jobs", 1)
    m = toks.int("number of machines", 1)
    if len(header) == 3:
        toks.skip()  # informational average machines per operation: unreliable, ignored
    jobs = []
    for j in range(n):
        line = toks.peek_line()
        k = toks.int(f"job {j}: number of operations", 1)
        ops = []
        for o in range(k):
            c = toks.int(f"job {j} operation {o}: number of machines", 1)
            modes = []
            seen = set()
            for _c in range(c):
                machine = toks.int(f"job {j} operation {o} machine", 1)
                duration = toks.int(f"job {j} operation {o} duration", 0)
                if machine > m:
                    raise toks.error(
                        line, f"job {j} operation {o}: machine {machine} outside 1..{m}"
                    )
                if machine in seen:
                    raise toks.error(line, f"job {j} operation {o} lists machine {machine} twice")
                seen.add(machine)
                modes.append((machine, duration))
            ops.append(modes)
        jobs.append(ops)
    toks.expect_end()
    return _problem(m, 1, jobs)


def read_benchmark(fmt: str, path) -> dict:
    if fmt == "jsplib":
        return read_jsplib(path)
    if fmt == "fjsp":
        return read_fjsp(path)
    raise ValueError(f"unknown benchmark format {fmt!r} (expected one of {', '.join(FORMATS)})")


def _number(identifier, prefix):
    if not isinstance(identifier, str) or not identifier.startswith(prefix):
        raise ValueError(f"identifier {identifier!r} is not a benchmark id '{prefix}<n>'")
    return int(identifier[len(prefix) :])


def benchmark_summary(problem: dict, plan: dict, fmt: str) -> dict:
    """Summarise ``plan`` with job, operation and machine numbers as in the benchmark file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown benchmark format {fmt!r} (expected one of {', '.join(FORMATS)})")
    rows = []
    for entry in plan.get("operations") or []:
        job_part, _dot, op_part = entry["op"].partition(".")
        rows.append(
            {
                "job": _number(job_part, "J"),
                "op": int(op_part),
                "machine": _number(entry["resource"], "M"),
                "start": entry["start"],
                "end": entry["end"],
            }
        )
    rows.sort(key=lambda r: (r["job"], r["op"]))
    makespan = max((r["end"] for r in rows), default=None)
    bound = plan.get("bound")
    if isinstance(bound, float) and bound.is_integer():
        bound = int(bound)
    return {
        "makespan": makespan,
        "status": plan.get("status"),
        "bound": bound,
        "operations": rows,
    }
