"""Planning with several real Odoo processes on one database.

* Two replans at once, one on each of two Odoo servers (the second in multi-worker mode):
  one run, and one clear refusal.
* An Odoo process killed (SIGKILL) while it processes a run: the previous plan stays as it
  was, the planning lock is free at once, and the next run marks the interrupted one failed.
* A run cancelled from one process while another solves it: the solver stops within
  seconds and nothing is written.
* Background jobs with three cron workers (the first server's cron thread and a server in
  multi-process mode with two cron workers): two companies replan at the same time, one
  company's runs one after the other, no job is processed twice, and a run whose process
  was killed is recovered while another worker plans another company.
* A repair queued by an operator's start whose write meets another operator's edit (an
  Odoo shell holding the row): nothing of it is written, a new repair is queued at once by
  the scheduled action and writes the plan, and no error is logged.
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
RUN_TIMES = ("state", "date_started", "date_finished", "attempt_count", "failure_reason")


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


def _start_server(odoo_server, work, *options):
    """Another Odoo server on the database of ``odoo_server``; yields its URL."""
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
        *options,
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
    odoo_server.other_logs.append(log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not _health(url):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"the Odoo server did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)
    try:
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def second_server(odoo_server, tmp_path_factory):
    """A second Odoo server on the same database, in multi-worker (prefork) mode."""
    work = tmp_path_factory.mktemp("odoo-second")
    options = ("--workers", "2", "--max-cron-threads", "0", "--limit-time-real", "120")
    yield from _start_server(odoo_server, work, *options)


@pytest.fixture(scope="module")
def cron_workers(odoo_server, tmp_path_factory):
    """A server in multi-process mode with two cron workers: with the cron thread of the
    first server, three cron workers compete for the background jobs."""
    work = tmp_path_factory.mktemp("odoo-crons")
    options = ("--workers", "1", "--max-cron-threads", "2", "--limit-time-real", "300")
    server = _start_server(odoo_server, work, *options)
    url = next(server)
    try:
        # a new database has every scheduled action due: let the cron workers catch up
        odoo_server.wait_for_scheduled_actions()
        yield url
    finally:
        server.close()


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


# ----------------------------------------------------------------------------------------
# Background jobs processed by several cron workers
# ----------------------------------------------------------------------------------------
def _main_company(xmlrpc, odoo_server):
    [admin] = xmlrpc("res.users", "read", [odoo_server.uid], ["company_id"])
    return admin["company_id"][0]


@pytest.fixture(scope="module")
def second_plant(odoo_server, xmlrpc):
    """Another company of the database with a plant to plan: two work centers, thirty
    confirmed manufacturing orders due within one to four days, most of them late whatever
    the day of the week (CP-SAT does not prove its plan optimal within the tests' time
    limits; with twelve orders due in two to six days it did on a Sunday night, and the runs
    these tests need side by side ended in a second), cancelled at the end of the module."""
    main = _main_company(xmlrpc, odoo_server)
    company = xmlrpc("res.company", "search", [("id", "!=", main)], limit=1)[0]
    context = {"allowed_company_ids": [company]}
    workcenters = [
        xmlrpc(
            "mrp.workcenter",
            "create",
            {"name": f"E2E {name}", "company_id": company},
            context=context,
        )
        for name in ("Molding", "Assembly")
    ]
    product = xmlrpc("product.product", "create", {"name": "E2E device", "type": "consu"})
    [template] = xmlrpc("product.product", "read", [product], ["product_tmpl_id"])
    operations = [
        (0, 0, {"name": name, "workcenter_id": workcenter, "time_cycle_manual": minutes})
        for name, workcenter, minutes in (
            ("Mold", workcenters[0], 90),
            ("Assemble", workcenters[1], 60),
        )
    ]
    bom = xmlrpc(
        "mrp.bom",
        "create",
        {
            "product_tmpl_id": template["product_tmpl_id"][0],
            "company_id": company,
            "operation_ids": operations,
        },
        context=context,
    )
    productions = [
        xmlrpc(
            "mrp.production",
            "create",
            {
                "product_id": product,
                "bom_id": bom,
                "product_qty": 1 + index % 3,
                "company_id": company,
                "date_deadline": time.strftime(
                    "%Y-%m-%d 12:00:00", time.gmtime(time.time() + 86400 * (1 + index % 4))
                ),
            },
            context=context,
        )
        for index in range(30)
    ]
    xmlrpc("mrp.production", "action_confirm", productions, context=context)
    yield company
    # the later tests of the session see the demo plant only
    xmlrpc("mrp.production", "action_cancel", productions, context=context)


def _read_runs(xmlrpc, run_ids):
    runs = xmlrpc("med.aps.run", "read", run_ids, list(RUN_TIMES))
    return {run["id"]: run for run in runs}


def _wait_for_runs(xmlrpc, run_ids, timeout=240):
    deadline = time.monotonic() + timeout
    while True:
        runs = _read_runs(xmlrpc, run_ids)
        if all(run["state"] in RUN_DONE_STATES for run in runs.values()):
            return runs
        assert time.monotonic() < deadline, f"the runs did not finish: {runs}"
        time.sleep(1)


def _wait_until_solving(xmlrpc, run_id, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        [run] = xmlrpc("med.aps.run", "read", [run_id], ["state", "progress"])
        if run["state"] == "running" and run["progress"] >= 20:
            return
        assert run["state"] in ("queued", "running"), run
        assert time.monotonic() < deadline, f"run {run_id} did not start solving: {run}"
        time.sleep(0.5)


def _interval(run):
    """Running interval in seconds since the epoch (the dates are stored to the second)."""

    def seconds(value):
        return time.mktime(time.strptime(value, "%Y-%m-%d %H:%M:%S"))

    return seconds(run["date_started"]), seconds(run["date_finished"])


def test_two_companies_replan_at_the_same_time_on_two_cron_workers(
    odoo_server, cron_workers, second_plant, xmlrpc
):
    _wait_for_idle_planning(xmlrpc)
    main = _main_company(xmlrpc, odoo_server)
    params = {"time_limit": 10, "workers": 1}
    # long enough for the second run to start on a busy machine (cron workers are niced)
    first_params = {"time_limit": 30, "workers": 1}
    first = xmlrpc("med.aps.run", "api_replan", scope={"company_id": main}, params=first_params)
    _wait_until_solving(xmlrpc, first["id"])
    # the main company's planning does not block the other company's
    second = xmlrpc("med.aps.run", "api_replan", scope={"company_id": second_plant}, params=params)
    assert second["state"] == "queued"
    # a second run of the main company is refused, naming the running one
    runs_before = xmlrpc("med.aps.run", "search_count", [])
    with pytest.raises(Fault) as refusal:
        xmlrpc("med.aps.run", "api_replan", scope={"company_id": main}, params=params)
    [running] = xmlrpc("med.aps.run", "read", [first["id"]], ["name"])
    assert f"Plan run {running['name']} (started by" in refusal.value.faultString
    assert "is still running" in refusal.value.faultString
    assert xmlrpc("med.aps.run", "search_count", []) == runs_before

    runs = _wait_for_runs(xmlrpc, [first["id"], second["id"]])
    assert [run["state"] for run in runs.values()] == ["done", "done"], runs
    assert [run["attempt_count"] for run in runs.values()] == [1, 1], "a run was taken twice"
    (start_1, end_1), (start_2, end_2) = (_interval(run) for run in runs.values())
    overlap = min(end_1, end_2) - max(start_1, start_2)
    # more than the dates' one-second resolution
    assert overlap >= 3, f"the two companies did not plan at the same time: {runs}"


def test_one_companys_runs_plan_one_after_the_other(odoo_server, cron_workers, xmlrpc):
    _wait_for_idle_planning(xmlrpc)
    run_ids = [xmlrpc("med.aps.run", "create", {"time_limit": 6, "workers": 1}) for _i in "ab"]
    xmlrpc("med.aps.run", "action_start", run_ids)  # both wait for the cron workers
    runs = _wait_for_runs(xmlrpc, run_ids)
    assert [run["state"] for run in runs.values()] == ["done", "done"], runs
    assert [run["attempt_count"] for run in runs.values()] == [1, 1], "a run was taken twice"
    earlier, later = sorted(_interval(run) for run in runs.values())
    assert later[0] >= earlier[1], f"one company's runs planned at the same time: {runs}"


def test_no_traceability_job_is_processed_twice(odoo_server, cron_workers, xmlrpc):
    # a demo lot made from other lots and delivered on: its genealogy has rows both ways
    lot_id = xmlrpc(
        "ir.model.data", "check_object_reference", "med_trace", "demo_lot_syringe_barrel"
    )[1]
    threshold = xmlrpc("ir.config_parameter", "get_param", "med_trace.background_threshold")
    xmlrpc("ir.config_parameter", "set_param", "med_trace.background_threshold", "0")
    try:
        job_ids = []
        for _i in range(8):
            wizard = xmlrpc("med.trace.genealogy", "create", {"lot_id": lot_id})
            action = xmlrpc("med.trace.genealogy", "action_export_csv", [wizard])
            job_ids.append(action["params"]["next"]["res_id"])
    finally:
        xmlrpc("ir.config_parameter", "set_param", "med_trace.background_threshold", threshold)
    deadline = time.monotonic() + 180
    fields = ["state", "attempt_count", "attachment_id", "error"]
    while True:
        jobs = xmlrpc("med.trace.job", "read", job_ids, fields)
        if all(job["state"] in ("done", "failed") for job in jobs):
            break
        assert time.monotonic() < deadline, f"the jobs did not finish: {jobs}"
        time.sleep(1)
    assert [job["state"] for job in jobs] == ["done"] * 8, jobs
    assert [job["attempt_count"] for job in jobs] == [1] * 8, "a job was taken twice"
    for job_id in job_ids:
        files = xmlrpc(
            "ir.attachment",
            "search_count",
            [("res_model", "=", "med.trace.job"), ("res_id", "=", job_id)],
        )
        ready = xmlrpc(
            "mail.message",
            "search_count",
            [
                ("model", "=", "med.trace.job"),
                ("res_id", "=", job_id),
                ("body", "ilike", "is ready"),
            ],
        )
        assert (files, ready) == (1, 1), f"job {job_id}: {files} files, {ready} notices"


def test_killed_worker_recovered_while_another_worker_plans(
    odoo_server, cron_workers, second_plant, xmlrpc, tmp_path
):
    _wait_for_idle_planning(xmlrpc)
    main = _main_company(xmlrpc, odoo_server)
    killed_id = xmlrpc("med.aps.run", "create", {"time_limit": 60, "workers": 1})
    process = _process_in_another_odoo(odoo_server, xmlrpc, tmp_path, killed_id)
    try:
        live = xmlrpc(
            "med.aps.run",
            "api_replan",
            scope={"company_id": second_plant},
            params={"time_limit": 20, "workers": 1},
        )
        _wait_until_solving(xmlrpc, live["id"])
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    # the killed run's company is free at once; the next cron worker's pass finds the run
    # stale, and leaves the other company's running run alone
    after = xmlrpc(
        "med.aps.run",
        "api_replan",
        scope={"company_id": main},
        params={"time_limit": 5, "workers": 1},
    )
    runs = _wait_for_runs(xmlrpc, [killed_id, live["id"], after["id"]])
    killed, live_run, next_run = (runs[key] for key in (killed_id, live["id"], after["id"]))
    assert killed["state"] == "failed", killed
    assert "interrupted" in killed["failure_reason"]
    assert (live_run["state"], live_run["attempt_count"]) == ("done", 1), live_run
    assert (next_run["state"], next_run["attempt_count"]) == ("done", 1), next_run
    live_start, live_end = _interval(live_run)
    next_start, _next_end = _interval(next_run)
    assert live_start <= next_start < live_end, "the recovery did not run beside the live run"


# An operator's edit of a work order the repair is about to write, in another Odoo process:
# it locks and changes the row, and commits once the repair's writer waits for that row (the
# repair read the plant before the edit: PostgreSQL refuses it the row).
OPERATOR_EDIT_SCRIPT = """
import time
from odoo import sql_db
cr = env.cr
cr.execute("SELECT pg_backend_pid()")
pid = cr.fetchone()[0]
cr.execute("SELECT id FROM mrp_workorder WHERE id = %s FOR UPDATE", [{workorder_id}])
cr.execute(
    "UPDATE mrp_workorder SET write_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
    [{workorder_id}],
)
print("LOCKED", flush=True)
waiting = None
deadline = time.monotonic() + {timeout}
with sql_db.db_connect(cr.dbname).cursor() as probe:
    while waiting is None and time.monotonic() < deadline:
        probe.execute(
            "SELECT query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid]
        )
        rows = probe.fetchall()
        probe.rollback()  # the activity view is read once per transaction
        waiting = next((q for (q,) in rows if "FOR UPDATE" in q and "mrp_workorder" in q), None)
        if waiting is None:
            time.sleep(0.2)
cr.commit()
print("COMMITTED" if waiting else "NOBODY WAITED", flush=True)
"""


def _edit_while_the_repair_writes(server, tmp_path, workorder_id, timeout=180):
    """An Odoo shell that edits ``workorder_id`` (``OPERATOR_EDIT_SCRIPT``); returns the
    process once the row is locked."""
    script = tmp_path / "operator_edit.py"
    script.write_text(
        OPERATOR_EDIT_SCRIPT.format(workorder_id=workorder_id, timeout=timeout), encoding="utf-8"
    )
    command, env = _odoo_command(tmp_path, server, "shell", "--no-http", "--log-level", "warn")
    errors_path = tmp_path / "operator_edit.err"
    errors = errors_path.open("w")
    server.other_logs.append(errors_path)  # what Odoo logs there fails the test too
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        env=env,
        text=True,
        start_new_session=True,
    )

    # a shell that hangs is stopped: its output ends, and the test says what it printed
    def stop_if_running():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    process.watchdog = threading.Timer(timeout + 120, stop_if_running)
    process.watchdog.daemon = True
    process.watchdog.start()
    process.stdin.write(f"exec(open({str(script)!r}).read())\n")
    process.stdin.close()
    for line in process.stdout:
        if "LOCKED" in line:
            return process
    process.wait(timeout=30)
    process.watchdog.cancel()
    pytest.fail(f"the operator's edit did not lock: {errors_path.read_text()}")


def test_a_repair_whose_write_meets_an_operator_repairs_again_in_the_background(
    odoo_server, second_plant, xmlrpc, json2, tmp_path
):
    """The event path in the background, committed as the scheduled actions do: an operator
    starts a work order; the repair it queues reads the plant, and meets another operator's
    edit of a work order it writes. Nothing of it is written, a new repair is queued at once
    and writes the plan; the event is answered by that one; no error is logged."""
    _wait_for_idle_planning(xmlrpc)
    context = {"allowed_company_ids": [second_plant]}
    repair_fields = [
        "aps_repair_enabled",
        "aps_repair_delay_minutes",
        "aps_repair_time_limit",
        "aps_repair_frozen_hours",
    ]
    [settings] = xmlrpc("res.company", "read", [second_plant], repair_fields)
    xmlrpc(
        "res.company",
        "write",
        [second_plant],
        {
            "aps_repair_enabled": True,
            "aps_repair_delay_minutes": 0,
            "aps_repair_time_limit": 5,
            "aps_repair_frozen_hours": 0,
        },
    )
    try:
        replan = xmlrpc(
            "med.aps.run",
            "api_replan",
            scope={"company_id": second_plant},
            params={"time_limit": 5, "workers": 1},
        )
        [planned] = _wait_for_runs(xmlrpc, [replan["id"]]).values()
        assert planned["state"] == "done", planned
        _wait_for_idle_planning(xmlrpc)
        open_workorders = [("production_id.company_id", "=", second_plant)]
        [started] = xmlrpc(
            "mrp.workorder",
            "search",
            [*open_workorders, ("state", "=", "ready")],
            order="date_start, id",
            limit=1,
            context=context,
        )
        [workorder] = xmlrpc("mrp.workorder", "read", [started], ["production_id"])
        production = workorder["production_id"][0]
        # the last planned work order of another order: the repair writes it, the start
        # of the first does not touch it
        [edited] = xmlrpc(
            "mrp.workorder",
            "search",
            [
                *open_workorders,
                ("state", "not in", ("done", "cancel", "progress")),
                ("production_id", "!=", production),
            ],
            order="date_start desc, id desc",
            limit=1,
            context=context,
        )
        last_run = xmlrpc("med.aps.run", "search", [], order="id desc", limit=1)[0]
        last_event = (xmlrpc("med.aps.plan.event", "search", [], order="id desc", limit=1) or [0])[
            0
        ]
        operator = _edit_while_the_repair_writes(odoo_server, tmp_path, edited)
        try:
            json2("mrp.workorder", "button_start", ids=[started], context=context)
            # the edit ends by itself: once the writer waited for it, or after its timeout
            output = operator.stdout.read()
            operator.wait(timeout=30)
        finally:
            operator.watchdog.cancel()
            if operator.poll() is None:
                os.killpg(operator.pid, signal.SIGKILL)
        assert "COMMITTED" in output, (output, (tmp_path / "operator_edit.err").read_text())
        deadline = time.monotonic() + 240
        while True:
            repairs = xmlrpc(
                "med.aps.run",
                "search_read",
                [
                    ("id", ">", last_run),
                    ("trigger", "=", "repair"),
                    ("company_id", "=", second_plant),
                ],
                ["state", "conflict_retries", "failure_reason"],
                order="id",
            )
            if len(repairs) >= 2 and all(r["state"] in RUN_DONE_STATES for r in repairs):
                break
            assert time.monotonic() < deadline, f"the repairs did not end: {repairs}"
            time.sleep(1)
        assert len(repairs) == 2, repairs
        first, again = repairs
        assert (first["state"], first["conflict_retries"]) == ("failed", 0), first
        assert first["failure_reason"].startswith(
            "Orders changed on the shop floor while the plan was being written; nothing was "
            "written."
        )
        assert first["failure_reason"].endswith("A new repair plans again at once.")
        assert (again["state"], again["conflict_retries"]) == ("done", 1), again
        events = xmlrpc(
            "med.aps.plan.event",
            "search_read",
            [("id", ">", last_event), ("company_id", "=", second_plant)],
            ["kind", "state", "repair_run_id"],
        )
        assert "workorder_started" in [event["kind"] for event in events], events
        assert {(event["state"], event["repair_run_id"][0]) for event in events} == {
            ("handled", again["id"])
        }, events
    finally:
        xmlrpc(
            "res.company", "write", [second_plant], {key: settings[key] for key in repair_fields}
        )
