"""End-to-end tests: a real Odoo 19 server with every addon of ``addons/`` and demo data,
driven over XML-RPC and the JSON-2 API.

The fixtures live in ``conftest.py``: ``odoo_server`` (session; an :class:`OdooServer`),
``xmlrpc`` and ``json2`` (its two call helpers). Errors of the JSON-2 API raise
:class:`Json2Error` (``from . import Json2Error`` in a test module of this folder);
errors of XML-RPC raise :class:`xmlrpc.client.Fault`.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

RECORD_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ [A-Z?]+ ")
ERROR_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")


class Json2Error(Exception):
    """A JSON-2 call answered with an HTTP error.

    ``status`` is the HTTP status, ``name`` the Python class of the server-side
    exception (e.g. ``odoo.exceptions.UserError``), ``message`` its message.
    """

    def __init__(self, status: int, name: str, message: str, body):
        super().__init__(f"HTTP {status} {name}: {message}")
        self.status = status
        self.name = name
        self.message = message
        self.body = body


@dataclass
class OdooServer:
    """A running Odoo server on a throwaway database (see ``conftest.odoo_server``)."""

    url: str
    db: str
    login: str
    password: str
    api_key: str
    uid: int
    log_path: Path
    addons: list[str] = field(default_factory=list)
    timeout: float = 120.0
    reported_errors: set[str] = field(default_factory=set)
    # logs of other Odoo servers the tests start on the same database: their errors fail
    # the tests as the main server's do
    other_logs: list[Path] = field(default_factory=list)

    Json2Error = Json2Error

    def common(self) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common", allow_none=True)

    def object(self) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)

    def xmlrpc(self, model: str, method: str, *args, **kwargs):
        """``execute_kw`` as the admin user: ``xmlrpc("res.partner", "search", [])``."""
        return self.object().execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def json2(self, model: str, method: str, **kwargs):
        """``POST /json/2/<model>/<method>`` with the admin's API key.

        Keyword arguments are the JSON body: ``ids``, ``context`` and the method's own
        parameters by name, e.g. ``json2("res.partner", "read", ids=[1], fields=["name"])``.
        """
        request = urllib.request.Request(
            f"{self.url}/json/2/{model}/{method}",
            data=json.dumps(kwargs).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"bearer {self.api_key}",
                "X-Odoo-Database": self.db,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            if isinstance(body, dict):
                name, message = body.get("name", ""), body.get("message", "")
                raise Json2Error(exc.code, name, message, body) from None
            raise Json2Error(exc.code, "", str(body)[:500], body) from None

    def wait_for_scheduled_actions(self, timeout: float = 240.0) -> bool:
        """Wait until no scheduled action is due or triggered (its cron threads idle, as far
        as the records tell); False when ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
            due = self.xmlrpc("ir.cron", "search_count", [("nextcall", "<=", now)])
            # a trigger of a switched-off action stays (Odoo runs active ones only)
            triggered = self.xmlrpc(
                "ir.cron.trigger",
                "search_count",
                [("call_at", "<=", now), ("cron_id.active", "=", True)],
            )
            if not due and not triggered:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(1)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_size(self, path: Path | None = None) -> int:
        path = path or self.log_path
        return path.stat().st_size if path.exists() else 0

    def log_paths(self) -> list[Path]:
        """The main server's log, then those of the other servers started so far."""
        return [self.log_path, *self.other_logs]

    def new_error_records(self, offset: int = 0, path: Path | None = None) -> list[str]:
        """ERROR/CRITICAL records (with their traceback) logged in ``path`` (the main
        server's log by default) after byte ``offset`` and not reported before; they are
        marked as reported."""
        path = path or self.log_path
        if not path.exists():
            return []
        with path.open("rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode("utf-8", "replace").splitlines()
        records, current = [], None
        for line in lines:
            if RECORD_RE.match(line):
                current = None
                if ERROR_RE.match(line) and line not in self.reported_errors:
                    self.reported_errors.add(line)
                    current = [line]
                    records.append(current)
            elif current is not None:
                current.append(line)
        return ["\n".join(record) for record in records]
