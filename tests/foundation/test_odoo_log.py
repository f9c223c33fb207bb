"""scripts/odoo_log.py: judging the log of an Odoo test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import odoo_log

PREFIX = "2026-11-25 13:00:00,123 4242"
DB = "medaps_ci_1"
SUMMARY = "{} failed, {} error(s) of {} tests when loading database 'medaps_ci_1'"


def rec(level: str, logger: str, message: str, db: str = DB) -> str:
    return f"{PREFIX} {level} {db} {logger}: {message}\n"


GREEN = [
    rec("INFO", "?", "Odoo version 19.0", db="?"),
    rec("INFO", "odoo.addons.med_aps.tests.test_plan", "Starting TestPlan.test_a ..."),
    rec("INFO", "odoo.addons.med_aps.tests.test_plan", "skipped TestPlan.test_b : no chrome"),
    rec("WARNING", "odoo.modules.loading", "some warning"),
    rec("INFO", "odoo.tests.stats", "med_aps: 12 tests 1.20s 300 queries"),
    rec("INFO", "odoo.tests.result", SUMMARY.format(0, 0, 12)),
]


def test_green_run():
    result = odoo_log.parse(GREEN)
    assert result.ok
    assert (result.run, result.failed, result.errors, result.skipped) == (12, 0, 0, 1)
    assert result.closing_line() == "odoo: 11 passed, 0 failed, 1 skipped"
    shown = "".join(line + "\n" for line in result.shown)
    assert "some warning" in shown and "med_aps: 12 tests" in shown
    assert "Starting TestPlan" not in shown


def test_failed_tests_fail_the_run():
    lines = GREEN[:-1] + [
        rec("ERROR", "odoo.addons.med_aps.tests.test_plan", "FAIL: TestPlan.test_a"),
        "Traceback (most recent call last):\n",
        "AssertionError: 1 != 2\n",
        rec("ERROR", "odoo.tests.result", SUMMARY.format(1, 1, 12)),
    ]
    result = odoo_log.parse(lines)
    assert not result.ok
    assert result.closing_line() == "odoo: 9 passed, 2 failed, 1 skipped"
    assert "AssertionError: 1 != 2" in result.shown
    assert result.problems() == [
        "1 test(s) failed and 1 errored",
        "1 ERROR/CRITICAL record(s) in the log",
    ]


def test_an_error_record_fails_even_when_all_tests_pass():
    lines = [rec("CRITICAL", "odoo.service.server", "Failed to initialize database"), *GREEN]
    result = odoo_log.parse(lines)
    assert result.run == 12 and not result.failed
    assert not result.ok
    assert result.problems() == ["1 ERROR/CRITICAL record(s) in the log"]


def test_no_summary_or_no_test_fails():
    crashed = odoo_log.parse(GREEN[:-1])
    assert not crashed.ok
    assert crashed.problems()[0].startswith("Odoo printed no test summary")
    empty = odoo_log.parse([rec("WARNING", "odoo.tests.result", SUMMARY.format(0, 0, 0))])
    assert not empty.ok
    assert empty.problems() == ["Odoo ran no test of the med-aps addons"]


def test_command_line(tmp_path):
    script = Path(odoo_log.__file__)
    log = tmp_path / "odoo.log"
    log.write_text("".join(GREEN))
    ok = subprocess.run([sys.executable, script, log], capture_output=True, text=True, check=False)
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[-1] == "odoo: 11 passed, 0 failed, 1 skipped"
    log.write_text("".join(GREEN[:-1]))
    bad = subprocess.run([sys.executable, script, log], capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[-1] == "odoo: 0 passed, 0 failed, 1 skipped"
    assert "ODOO TESTS FAILED: Odoo printed no test summary" in bad.stdout
