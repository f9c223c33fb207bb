"""Planning with several real Odoo processes on one database.

* Two replans at once, one on each of two Odoo servers (the second in multi-worker mode):
  one run, and one clear refusal.
* An Odoo process killed (SIGKILL) while it processes a run: the previous plan stays as it
  was, the planning lock is free at once, and the next run marks the interrupted one failed.
* A run cancelled from one process while another solves it: the solver stops within
  seconds and nothing is written.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from xmlrpc.client import Fault, ServerProxy

import pytest

from .conftest import REPO_ROOT, _health, _stop, odoo_env

RUN_DONE_STATES = ("done", "failed", "cancelled")


def _odoo_command(tmp_path: Path, server, *args: str) -> tuple[list[str], dict]:
    install = odoo_env.discover()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    conf = tmp_path / "odoo.conf"
    conf.write_text(f"[options]\ndata_dir = {tmp_path / 'data'}\n", encoding="utf-8")
    common = [
        "--config",
        str(conf),
        "-d",
        server.db,
        *odoo_env.db_options(env),
        "--addons-path",
        str(REPO_ROOT / "addons"),
    ]
    if args and args[0] == "shell":
        return install.command("shell", *common, *args[1:]), env
    return install.command(*common, *args), env


@pytest.fixture(scope="module")
def second_server(odoo_server, tmp_path_factory):
    """A second Odoo server on the same database, in multi-worker (prefork) mode."""
    work = tmp_path_factory.mktemp("odoo-second")
    port = odoo_env.free_port()
    command, env = _odoo_command(
        work,
        odoo_server,
        "--db-filter",
        f"^{re.escape(odoo_server.db)}$",
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(port),
        "--gevent-port",
        str(odoo_env.free_port(exclude=(port,))),
        "--workers",
        "2",
        "--max-cron-threads",
        "0",
        "--limit-time-real",
        "120",
        "--log-level",
        "warn",
    )
    log = work / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not _health(url):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"the second Odoo server did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)
    yield url
    _stop(process)


def _call(url, server, model, method, *args, **kwargs):
    proxy = ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    return proxy.execute_kw(
        server.db, server.uid, server.password, model, method, list(args), kwargs
    )


def _wait_for_idle_planning(xmlrpc, timeout=180):
    """Earlier tests may have queued runs: let them finish first."""
    deadline = time.monotonic() + timeout
    while xmlrpc("med.aps.run", "search_count", [("state", "in", ("queued", "running"))]):
        assert time.monotonic() < deadline, "plan runs of earlier tests did not finish"
        time.sleep(1)


def _plan_snapshot(xmlrpc):
    workorders = xmlrpc(
        "mrp.workorder",
        "search_read",
        [("state", "not in", ("done", "cancel"))],
        ["workcenter_id", "date_start", "date_finished", "aps_run_id"],
        order="id",
    )
    return [
        (wo["id"], wo["workcenter_id"], wo["date_start"], wo["date_finished"], wo["aps_run_id"])
        for wo in workorders
    ]


def _process_in_another_odoo(server, xmlrpc, tmp_path, run_id):
    """Start an Odoo process that processes the queued runs as the scheduled action would;
    return it once it is solving ``run_id``."""
    cron_id = xmlrpc(
        "ir.model.data", "check_object_reference", "med_aps", "ir_cron_med_aps_process_runs"
    )[1]
    command, env = _odoo_command(tmp_path, server, "shell", "--no-http", "--log-level", "warn")
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
        start_new_session=True,
    )
    process.stdin.write(
        f"env['med.aps.run'].with_context(cron_id={cron_id})._cron_process_queued_runs()\n"
    )
    process.stdin.close()
    deadline = time.monotonic() + 120
    while True:
        [run] = xmlrpc("med.aps.run", "read", [run_id], ["state", "progress"])
        if run["state"] == "running" and run["progress"] >= 20:
            return process  # solving: the plan would be written next
        if run["state"] not in ("queued", "running") or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"the other Odoo process did not start solving the run: {run}")
        time.sleep(0.5)


def test_two_replans_at_once_give_one_run_and_one_refusal(odoo_server, second_server, xmlrpc):
    _wait_for_idle_planning(xmlrpc)
    runs_before = xmlrpc("med.aps.run", "search_count", [])
    first = {}

    def replan_on_the_first_server():
        try:
            first["result"] = xmlrpc(
                "med.aps.run", "api_replan", params={"time_limit": 12, "workers": 1}, wait=True
            )
        except Fault as fault:
            first["fault"] = fault.faultString

    thread = threading.Thread(target=replan_on_the_first_server)
    thread.start()
    time.sleep(4)  # the first run now holds the planning lock and solves
    with pytest.raises(Fault) as refusal:
        _call(
            second_server,
            odoo_server,
            "med.aps.run",
            "api_replan",
            params={"time_limit": 5, "workers": 1},
            wait=True,
        )
    thread.join(timeout=120)
    assert "Another plan run is being processed right now" in refusal.value.faultString
    assert "fault" not in first, first.get("fault")
    assert first["result"]["state"] == "done"
    assert xmlrpc("med.aps.run", "search_count", []) == runs_before + 1


def test_killed_process_leaves_the_plan_and_the_run_is_marked_failed(odoo_server, xmlrpc, tmp_path):
    _wait_for_idle_planning(xmlrpc)
    before = _plan_snapshot(xmlrpc)
    run_id = xmlrpc("med.aps.run", "create", {"time_limit": 60, "workers": 1})
    process = _process_in_another_odoo(odoo_server, xmlrpc, tmp_path, run_id)
    try:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert _plan_snapshot(xmlrpc) == before, "the killed run wrote part of its plan"
    assert xmlrpc("med.aps.run", "read", [run_id], ["state"])[0]["state"] == "running"

    # the lock died with the process: the next run starts at once and cleans up
    started = time.monotonic()
    result = xmlrpc("med.aps.run", "api_replan", params={"time_limit": 5, "workers": 1}, wait=True)
    assert time.monotonic() - started < 60
    assert result["state"] == "done"
    [killed] = xmlrpc("med.aps.run", "read", [run_id], ["state", "failure_reason"])
    assert killed["state"] == "failed"
    assert "interrupted" in killed["failure_reason"]


def test_cancel_stops_the_solver_of_another_process(odoo_server, xmlrpc, tmp_path):
    _wait_for_idle_planning(xmlrpc)
    before = _plan_snapshot(xmlrpc)
    run_id = xmlrpc("med.aps.run", "create", {"time_limit": 60, "workers": 1})
    process = _process_in_another_odoo(odoo_server, xmlrpc, tmp_path, run_id)
    try:
        cancelled_at = time.monotonic()
        xmlrpc("med.aps.run", "action_cancel", [run_id])
        process.wait(timeout=45)  # the processing returns once its solver stopped
        assert time.monotonic() - cancelled_at < 15, "the solver went on after the cancel"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    [run] = xmlrpc("med.aps.run", "read", [run_id], ["state"])
    assert run["state"] == "cancelled"
    assert _plan_snapshot(xmlrpc) == before, "a cancelled run wrote its plan"
