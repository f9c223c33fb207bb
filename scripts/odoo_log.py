#!/usr/bin/env python3
"""Read the log of an Odoo test run and judge it.

    odoo_log.py LOGFILE

prints the log's WARNING/ERROR/CRITICAL records (with their tracebacks), Odoo's
per-module test statistics, and then the plain closing line::

    odoo: N passed, N failed, N skipped

Exit status 0 only when Odoo printed its summary (``N failed, N error(s) of N tests
when loading database ...``), at least one test ran, no test failed or errored and
no record of level ERROR or CRITICAL was logged.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

RECORD_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|TEST|\?\?\?) (?P<db>\S+) (?P<logger>[^:\s]+): "
    r"(?P<message>.*)$"
)
SUMMARY_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests"
    r" when loading database"
)
SKIP_RE = re.compile(r"^skipped \S")
STATS_LOGGER = "odoo.tests.stats"


@dataclass
class OdooRun:
    run: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    summary_seen: bool = False
    error_records: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return max(self.run - self.failed - self.errors - self.skipped, 0)

    @property
    def ok(self) -> bool:
        return (
            self.summary_seen
            and self.run > 0
            and not self.failed
            and not self.errors
            and not self.error_records
        )

    def closing_line(self) -> str:
        return (
            f"odoo: {self.passed} passed, {self.failed + self.errors} failed, "
            f"{self.skipped} skipped"
        )

    def problems(self) -> list[str]:
        found = []
        if not self.summary_seen:
            found.append("Odoo printed no test summary (did the server crash or not load?)")
        elif self.run == 0:
            found.append("Odoo ran no test of the med-aps addons")
        if self.failed or self.errors:
            found.append(f"{self.failed} test(s) failed and {self.errors} errored")
        if self.error_records:
            found.append(f"{len(self.error_records)} ERROR/CRITICAL record(s) in the log")
        return found


def parse(lines) -> OdooRun:
    result = OdooRun()
    showing = False
    for raw in lines:
        line = raw.rstrip("\n")
        record = RECORD_RE.match(line)
        if not record:
            # continuation line (traceback, multi-line message) of the last record
            if showing:
                result.shown.append(line)
            continue
        level, logger, message = record["level"], record["logger"], record["message"]
        summary = SUMMARY_RE.search(message)
        if summary:
            result.summary_seen = True
            result.failed += int(summary["failed"])
            result.errors += int(summary["errors"])
            result.run += int(summary["run"])
        elif level in ("ERROR", "CRITICAL"):
            result.error_records.append(line)
        if level == "INFO" and logger.startswith("odoo.addons.") and SKIP_RE.match(message):
            result.skipped += 1
        showing = level in ("WARNING", "ERROR", "CRITICAL") or logger == STATS_LOGGER
        if showing:
            result.shown.append(line)
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 64
    with open(argv[0], encoding="utf-8", errors="replace") as handle:
        result = parse(handle)
    for line in result.shown:
        sys.stdout.write(line + "\n")
    for problem in result.problems():
        sys.stdout.write(f"ODOO TESTS FAILED: {problem}\n")
    sys.stdout.write(result.closing_line() + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
