#!/usr/bin/env python3
"""Replan manufacturing orders of an Odoo database running med_aps, from outside Odoo.

Standard library only. Two channels:

* XML-RPC (``/xmlrpc/2/object``, ``execute_kw``), authenticated by login and password
  (or an API key used as the password);
* JSON-2 (``POST /json/2/med.aps.run/<method>``), authenticated by an API key
  (``Authorization: bearer <key>``; create one in Preferences > Account Security).

Examples::

    python3 examples/replan_client.py --url http://localhost:8069 --db medaps \\
        --user admin --password admin --mo 12 --mo 13 --time-limit 20
    python3 examples/replan_client.py --protocol json2 --url http://localhost:8069 \\
        --db medaps --api-key "$ODOO_API_KEY" --wait
    python3 examples/replan_client.py --url ... --db ... --user ... --password ... --read 42

Without ``--wait`` the run is queued for the planning scheduled action and the client polls
``api_read`` until the run is finished. Exit status: 0 when the run is done, 1 when it
failed or was cancelled, 2 on a usage or connection error.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client

FINISHED = ("done", "failed", "cancelled")


class XmlRpcClient:
    def __init__(self, url, db, user, password):
        self.db = db
        self.password = password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, user, password, {})
        if not self.uid:
            raise SystemExit(f"error: login refused for user {user!r} on database {db!r}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(self, method, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, "med.aps.run", method, [], kwargs
        )


class Json2Client:
    def __init__(self, url, db, api_key):
        self.url = url
        self.db = db
        self.api_key = api_key

    def call(self, method, **kwargs):
        request = urllib.request.Request(
            f"{self.url}/json/2/med.aps.run/{method}",
            data=json.dumps(kwargs).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"bearer {self.api_key}",
                "X-Odoo-Database": self.db,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            try:
                body = json.loads(body).get("message", body)
            except (ValueError, AttributeError):
                pass
            raise SystemExit(f"error: HTTP {error.code}: {body}") from None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--protocol", choices=("xmlrpc", "json2"), default="xmlrpc")
    parser.add_argument("--user", default="admin", help="login (XML-RPC)")
    parser.add_argument("--password", help="password or API key (XML-RPC)")
    parser.add_argument("--api-key", help="API key (JSON-2)")
    parser.add_argument("--mo", type=int, action="append", default=[], help="MO id (repeat)")
    parser.add_argument("--workcenter", type=int, action="append", default=[])
    parser.add_argument("--company", type=int)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--frozen-hours", type=float)
    parser.add_argument(
        "--wait", action="store_true", help="plan inside the request (time limit <= 30 s)"
    )
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between polls")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    parser.add_argument("--read", type=int, metavar="RUN_ID", help="only read a run")
    args = parser.parse_args(argv)
    if args.protocol == "xmlrpc" and not args.password:
        parser.error("--password is required with XML-RPC")
    if args.protocol == "json2" and not args.api_key:
        parser.error("--api-key is required with JSON-2")
    return args


def main(argv=None):
    args = parse_args(argv)
    url = args.url.rstrip("/")
    try:
        if args.protocol == "xmlrpc":
            client = XmlRpcClient(url, args.db, args.user, args.password)
        else:
            client = Json2Client(url, args.db, args.api_key)
        if args.read:
            print(json.dumps(client.call("api_read", run_id=args.read), indent=2))
            return 0
        scope = {}
        if args.mo:
            scope["production_ids"] = args.mo
        if args.workcenter:
            scope["workcenter_ids"] = args.workcenter
        if args.company:
            scope["company_id"] = args.company
        params = {"time_limit": args.time_limit}
        if args.frozen_hours is not None:
            params["frozen_hours"] = args.frozen_hours
        result = client.call("api_replan", scope=scope, params=params, wait=args.wait)
        print(f"run {result['id']}: {result['state']}", file=sys.stderr)
        deadline = time.monotonic() + args.timeout
        run = result
        while run["state"] not in FINISHED:
            if time.monotonic() > deadline:
                print(f"error: run {result['id']} still {run['state']}", file=sys.stderr)
                return 2
            time.sleep(args.poll)
            run = client.call("api_read", run_id=result["id"])
            print(
                f"run {run['id']}: {run['state']} {run.get('progress', 0):.0f}%",
                file=sys.stderr,
            )
        if "failure_reason" not in run:
            run = client.call("api_read", run_id=result["id"])
        print(json.dumps(run, indent=2))
        return 0 if run["state"] == "done" else 1
    except xmlrpc.client.Fault as fault:
        print(f"error: {fault.faultString.strip().splitlines()[-1]}", file=sys.stderr)
        return 2
    except (OSError, urllib.error.URLError) as error:
        print(f"error: cannot reach {url}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
