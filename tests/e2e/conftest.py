"""Fixtures of the end-to-end tests: one real Odoo server for the whole session.

* ``odoo_server`` (session): creates a throwaway database ``medaps_e2e_…``
  (``MEDAPS_DB_PREFIX`` replaces ``medaps``; ``MEDAPS_HTTP_PORTS`` bounds the ports) with every
  installable addon of ``addons/`` and demo data (a copy of ``MEDAPS_E2E_TEMPLATE_DB``
  and its files ``MEDAPS_E2E_TEMPLATE_FILESTORE`` when set: ``scripts/test.sh``
  installs the addons once for its Odoo tests and these), creates an API key for ``admin``,
  starts Odoo on a free port of 127.0.0.1 (threaded, one cron thread, so cron triggers
  run), waits for ``/web/health`` and yields an :class:`~tests.e2e.OdooServer` with
  ``url``, ``db``, ``login``/``password`` (admin/admin), ``api_key``, ``uid``,
  ``xmlrpc(model, method, *args, **kw)`` and ``json2(model, method, **kwargs)``.
  At the end it stops the server and drops the database. A test during which the
  server logged an ERROR or CRITICAL record fails at its teardown (autouse fixture);
  such records logged outside any test fail the session's teardown.
* ``xmlrpc`` and ``json2``: the two call helpers of ``odoo_server``.

Odoo is found like ``scripts/test.sh`` does (``ODOO_BIN``, ``ODOO_PYTHON``, see
``scripts/odoo_env.py``); without Odoo 19 every test using these fixtures is skipped
with the reason. PostgreSQL comes from ``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD``
(default 127.0.0.1:5432, odoo/odoo); ``scripts/test.sh`` makes sure it runs.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from xmlrpc.client import ServerProxy

import pytest

from . import OdooServer

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import odoo_env  # noqa: E402

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"
INSTALL_TIMEOUT = int(os.environ.get("MEDAPS_E2E_INSTALL_TIMEOUT", "1200"))
START_TIMEOUT = 180
ERROR_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
KEY_SCRIPT = """
admin = env.ref("base.user_admin")
key = env["res.users.apikeys"].with_user(admin)._generate(None, "med-aps e2e tests", None)
# Odoo's own procurement scheduler is due at the server's first start: it would recompute
# the demo's reordering rules while a test's plan run writes component moves, and its
# serialization failure (Odoo retries it at its next run) is an ERROR the tests fail on
scheduler = env.ref("stock.ir_cron_scheduler_action", raise_if_not_found=False)
if scheduler:
    scheduler.active = False
env.cr.commit()
print("MEDAPS_API_KEY=" + key)
"""


def _error_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as handle:
        return [line.rstrip() for line in handle if ERROR_RE.match(line)]


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/web/health", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _install(install, env, common, addons, db, install_log) -> None:
    """Every addon of ``addons/`` with demo data into a new database ``db``."""
    with install_log.open("w") as out:
        proc = subprocess.run(
            install.command(
                *common,
                "-i",
                ",".join(addons),
                "--with-demo",
                "--stop-after-init",
                "--no-http",
                "--workers",
                "0",
                "--max-cron-threads",
                "0",
                "--log-level",
                "warn",
            ),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    errors = _error_lines(install_log)
    if proc.returncode or errors:
        pytest.fail(
            f"installing {','.join(addons)} into {db} failed (exit {proc.returncode}):\n"
            + ("\n".join(errors) or _tail(install_log)),
            pytrace=False,
        )


def _copy_template(install, env, template, db, filestore) -> None:
    """``db`` as a copy of a database the test command installed the same way (it
    installs the addons once for its Odoo tests and for these), with its files."""
    proc = subprocess.run(
        [install.python, str(REPO_ROOT / "scripts" / "pgtool.py"), "copy", template, db],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode:
        pytest.fail(f"copying {template} to {db} failed:\n{proc.stderr[-2000:]}", pytrace=False)
    source = Path(os.environ.get("MEDAPS_E2E_TEMPLATE_FILESTORE") or "")
    if source.name and source.is_dir():
        shutil.copytree(source, filestore)


@pytest.fixture(scope="session")
def odoo_server(tmp_path_factory):
    reason = os.environ.get("MEDAPS_ODOO_SKIP_REASON")
    if reason:
        pytest.skip(f"ODOO TESTS SKIPPED: {reason}")
    install = odoo_env.discover()
    if not install.found:
        pytest.skip(f"ODOO TESTS SKIPPED: {install.reason}")
    addons = odoo_env.repo_addons()
    if not addons:
        pytest.skip("ODOO TESTS SKIPPED: no installable addon in addons/")

    env = dict(os.environ)
    for key, default in (
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", "5432"),
        ("PGUSER", "odoo"),
        ("PGPASSWORD", "odoo"),
    ):
        env.setdefault(key, default)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)

    work = tmp_path_factory.mktemp("odoo-e2e")
    data_dir = work / "data"
    conf = work / "odoo.conf"
    conf.write_text(f"[options]\ndata_dir = {data_dir}\n", encoding="utf-8")
    db = f"{odoo_env.db_prefix()}_e2e_{int(time.time())}_{secrets.token_hex(3)}"
    port = odoo_env.free_port()
    url = f"http://127.0.0.1:{port}"
    common = [
        "--config",
        str(conf),
        "-d",
        db,
        *odoo_env.db_options(env),
        "--addons-path",
        str(REPO_ROOT / "addons"),
    ]
    install_log = work / "install.log"
    server_log = work / "server.log"
    process = None
    server = None
    try:
        template = os.environ.get("MEDAPS_E2E_TEMPLATE_DB")
        if template:
            _copy_template(install, env, template, db, data_dir / "filestore" / db)
        else:
            _install(install, env, common, addons, db, install_log)

        shell = subprocess.run(
            install.command("shell", *common, "--no-http", "--log-level", "warn"),
            input=KEY_SCRIPT,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        match = re.search(r"MEDAPS_API_KEY=(\w+)", shell.stdout)
        if not match:
            pytest.fail(
                f"could not create an API key:\n{shell.stdout[-2000:]}\n{shell.stderr[-2000:]}",
                pytrace=False,
            )
        api_key = match.group(1)

        with server_log.open("w") as out:
            process = subprocess.Popen(
                install.command(
                    *common,
                    "--db-filter",
                    f"^{re.escape(db)}$",
                    "--http-interface",
                    "127.0.0.1",
                    "--http-port",
                    str(port),
                    "--gevent-port",
                    str(odoo_env.free_port(exclude=(port,))),
                    "--workers",
                    "0",
                    "--max-cron-threads",
                    "1",
                    "--log-level",
                    "info",
                ),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not _health(url):
            if process.poll() is not None:
                pytest.fail(f"Odoo stopped at start:\n{_tail(server_log)}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"Odoo did not answer /web/health:\n{_tail(server_log)}", pytrace=False)
            time.sleep(0.5)
        common_proxy = ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        uid = common_proxy.authenticate(db, ADMIN_LOGIN, ADMIN_PASSWORD, {})
        if not uid:
            pytest.fail(f"admin/admin cannot log in to {db}", pytrace=False)

        server = OdooServer(
            url=url,
            db=db,
            login=ADMIN_LOGIN,
            password=ADMIN_PASSWORD,
            api_key=api_key,
            uid=uid,
            log_path=server_log,
            addons=addons,
        )
        yield server
    finally:
        if process is not None:
            _stop(process)
        subprocess.run(
            [install.python, str(REPO_ROOT / "scripts" / "pgtool.py"), "drop", db],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)

    if server is not None:
        for path in server.log_paths():
            errors = server.new_error_records(0, path)
            if errors:
                pytest.fail(
                    f"outside the tests, an Odoo server logged {len(errors)} ERROR/CRITICAL "
                    f"record(s) (log: {path}):\n" + "\n".join(errors[:5]),
                    pytrace=False,
                )


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail (at teardown) the e2e test during which the server logged an ERROR record."""
    if "odoo_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("odoo_server")
    offsets = {path: server.log_size(path) for path in server.log_paths()}
    yield
    time.sleep(0.2)  # let the servers finish logging the last request
    for path in server.log_paths():
        errors = server.new_error_records(offsets.get(path, 0), path)
        if errors:
            pytest.fail(
                f"an Odoo server logged {len(errors)} ERROR/CRITICAL record(s) during this "
                f"test (log: {path}):\n" + "\n".join(errors[:5]),
                pytrace=False,
            )


@pytest.fixture(scope="session")
def xmlrpc(odoo_server):
    """``xmlrpc(model, method, *args, **kw)``: ``execute_kw`` as admin."""
    return odoo_server.xmlrpc


@pytest.fixture(scope="session")
def json2(odoo_server):
    """``json2(model, method, **kwargs)``: JSON-2 call with the admin's API key."""
    return odoo_server.json2
