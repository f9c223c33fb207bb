"""The client side of the end-to-end fixtures (tests/e2e/__init__.py), against a tiny
local HTTP server instead of Odoo: JSON-2 requests and errors, log scanning."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from e2e import Json2Error, OdooServer  # noqa: E402


class FakeJson2(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeJson2.seen.append((self.path, dict(self.headers), body))
        if self.path == "/json/2/res.partner/search":
            status, answer = 200, [7, 9]
        else:
            status = 404
            answer = {"name": "werkzeug.exceptions.NotFound", "message": "no such model"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server(tmp_path):
    httpd = HTTPServer(("127.0.0.1", 0), FakeJson2)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    FakeJson2.seen = []
    server = OdooServer(
        url=f"http://127.0.0.1:{httpd.server_port}",
        db="medaps_e2e_x",
        login="admin",
        password="admin",
        api_key="k3y",
        uid=2,
        log_path=tmp_path / "server.log",
        timeout=10,
    )
    yield server
    httpd.shutdown()
    httpd.server_close()


def test_json2_sends_key_database_and_keyword_body(fake_server):
    assert fake_server.json2("res.partner", "search", domain=[["id", ">", 1]]) == [7, 9]
    path, headers, body = FakeJson2.seen[0]
    assert path == "/json/2/res.partner/search"
    assert headers["Authorization"] == "bearer k3y"
    assert headers["X-Odoo-Database"] == "medaps_e2e_x"
    assert body == {"domain": [["id", ">", 1]]}


def test_json2_errors_carry_status_name_and_message(fake_server):
    with pytest.raises(Json2Error) as error:
        fake_server.json2("no.model", "search", domain=[])
    assert error.value.status == 404
    assert error.value.name == "werkzeug.exceptions.NotFound"
    assert error.value.message == "no such model"
    assert fake_server.Json2Error is Json2Error


def test_new_error_records_are_reported_once_with_their_traceback(fake_server):
    log = fake_server.log_path
    stamp = "2026-11-25 13:00:00,000 42"
    log.write_text(
        f"{stamp} INFO db werkzeug: POST /xmlrpc/2/object 200\n"
        f"{stamp} ERROR db odoo.http: Exception during request handling.\n"
        "Traceback (most recent call last):\n"
        "TypeError: cannot marshal None unless allow_none is enabled\n"
        f"{stamp} WARNING db odoo.http: refused\n"
    )
    [record] = fake_server.new_error_records()
    assert record.splitlines()[0].endswith("Exception during request handling.")
    assert record.splitlines()[-1].startswith("TypeError: cannot marshal None")
    assert fake_server.new_error_records() == []
    offset = fake_server.log_size()
    with log.open("a") as handle:
        handle.write(f"{stamp} CRITICAL db odoo.service.server: boom\n")
    assert fake_server.new_error_records(offset) == [
        f"{stamp} CRITICAL db odoo.service.server: boom"
    ]


def test_the_logs_of_other_servers_are_read_too(fake_server, tmp_path):
    stamp = "2026-11-25 13:00:00,000 43"
    other = tmp_path / "other-server.log"
    assert fake_server.new_error_records(0, other) == [], "a server not started yet"
    fake_server.other_logs.append(other)
    assert fake_server.log_paths() == [fake_server.log_path, other]
    other.write_text(
        f"{stamp} INFO db odoo.service.server: HTTP service running\n"
        f"{stamp} ERROR db odoo.addons.base.models.ir_cron: Job failed\n"
    )
    assert fake_server.log_size(other) == other.stat().st_size
    assert fake_server.new_error_records(0, other) == [
        f"{stamp} ERROR db odoo.addons.base.models.ir_cron: Job failed"
    ]
    assert fake_server.new_error_records(0, other) == []
    assert fake_server.new_error_records() == []
