#!/usr/bin/env python3
"""Benchmark: how long the planning screens take to show their content in a real browser.

Opens each screen in headless Chromium (``tests/e2e/browser.py``) as a logged-in user on a
running Odoo server and measures the time from the navigation to the moment the screen's
content is drawn (a CSS selector of the content, not of the loading page: the timeline's
bars, the list's rows, the graph's canvas...). Every opening is a full page load (the web
client boots, then opens the action), as when a user follows a link or reloads; the
static assets are loaded once before measuring, as a user's browser has them cached.

Usage (a server running on the database to measure, e.g. the med_aps copy of
``bench_odoo_aps.py --keep``)::

    python bench/bench_screens.py --url http://HOST:PORT -d DB --login admin --password PW

With ``--in-app`` each screen is opened instead as a user opens it from a menu of the web
client already running: the client is loaded on its home page (not timed), then a click on a
link to the screen (the client's router loads it in place) is timed to the content drawn.

Prints, per screen, the first opening and the median of ``--repeat`` openings (default 3)
against the target (``--target``, default 3 s). ``--screens`` picks some of them,
``--screenshots DIR`` saves what was shown, ``--json FILE`` writes the results.
"""

import argparse
import json
import statistics
import sys
import time
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.browser import Browser, BrowserError, find_browser  # noqa: E402

# key -> (label, path in the web client, selector of the drawn content)
SCREENS = {
    "timeline": (
        "Work order timeline",
        "/odoo/aps-timeline",
        ".o_med_aps_workorder_timeline .vis-item.o_med_aps_wo",
    ),
    "mo_list": (
        "Manufacturing orders with APS columns",
        "/odoo/manufacturing",
        ".o_list_view:has(th[data-name=aps_tardiness_display]) .o_data_row",
    ),
    "load": (
        "Work center load",
        "/odoo/aps-workcenter-load",
        ".o_graph_renderer canvas",
    ),
    "plan_kpis": ("Plan KPIs", "/odoo/aps-kpis", ".o_graph_renderer canvas"),
    "utilization": (
        "Work center utilization",
        "/odoo/aps-utilization",
        ".o_graph_renderer canvas",
    ),
    "plan_vs_execution": (
        "Plan vs execution",
        "/odoo/action-med_aps.med_aps_execution_kpi_action",
        ".o_pivot table",
    ),
    "unit_change_time": (
        "Unit change time",
        "/odoo/action-med_aps.med_aps_changeover_kpi_action",
        ".o_pivot table",
    ),
    "on_time": (
        "On-time completion",
        "/odoo/action-med_aps.med_aps_ontime_kpi_action",
        ".o_graph_renderer canvas",
    ),
    "holding": (
        "Holding cost",
        "/odoo/action-med_aps.action_med_aps_holding_kpi",
        ".o_graph_renderer canvas",
    ),
    "panorama": (
        "Production panorama",
        "/odoo/action-med_aps.action_med_aps_panorama",
        ".o_med_aps_panorama_order",
    ),
}
POLL_S = 0.05
# the page of the previous opening carries this mark: the new page must not
STALE_MARK = "__benchScreensStale"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069", help="Odoo server")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--repeat", type=int, default=3, help="openings per screen")
    parser.add_argument("--target", type=float, default=3.0, help="seconds per screen")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after (s)")
    parser.add_argument(
        "--screens",
        default=",".join(SCREENS),
        help="comma-separated screens of %s (default all)" % ", ".join(SCREENS),
    )
    parser.add_argument(
        "--in-app",
        action="store_true",
        help="open each screen by a link in the running web client, not by a page load",
    )
    parser.add_argument("--screenshots", help="save a screenshot of each screen here")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    args.screens = [key.strip() for key in args.screens.split(",") if key.strip()]
    unknown = set(args.screens) - set(SCREENS)
    if unknown:
        parser.error("unknown screen(s) %s" % ", ".join(sorted(unknown)))
    return args


def session_id(url, database, login, password):
    request = urllib.request.Request(
        "%s/web/session/authenticate" % url,
        data=json.dumps(
            {"jsonrpc": "2.0", "params": {"db": database, "login": login, "password": password}}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = json.load(answer)
        cookies = SimpleCookie(answer.headers.get("Set-Cookie", ""))
    if "error" in body or "session_id" not in cookies:
        raise SystemExit("cannot log in as %s on %s: %s" % (login, database, body.get("error")))
    return cookies["session_id"].value


def open_screen(browser, url, selector, timeout):
    """Seconds from the navigation to ``selector`` shown, measured by the page's own clock
    (``performance.now()`` counts from its navigation start)."""
    browser.evaluate("window.%s = true" % STALE_MARK)
    browser.goto(url)
    check = (
        "(() => { if (window.%s) return null; const el = document.querySelector(%s);"
        " return el && el.getClientRects().length ? performance.now() : null; })()"
        % (STALE_MARK, json.dumps(selector))
    )
    return _wait(browser, check, timeout, "%s on %s" % (selector, url)) / 1000.0


def _wait(browser, expression, timeout, what):
    """Poll ``expression`` until it gives a value that is not null; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = browser.evaluate(expression)
        except BrowserError:
            value = None  # the page is being replaced
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise BrowserError("%s: not shown after %.0f s" % (what, timeout))
        time.sleep(POLL_S)


def open_screen_in_app(browser, home, path, selector, timeout):
    """Seconds from a click on a link to ``path`` in the running web client to ``selector``
    shown. The client is first loaded on ``home`` (not timed), so that nothing of the screen
    is on the page."""
    open_screen(browser, home, ".o_main_navbar", timeout)
    browser.evaluate(
        "(() => { const a = document.createElement('a'); a.href = %s;"
        " document.body.appendChild(a); window.__benchClick = performance.now(); a.click();"
        " a.remove(); return true; })()" % json.dumps(path)
    )
    shown = (
        "(() => { const el = document.querySelector(%s);"
        " return el && el.getClientRects().length ? performance.now() - window.__benchClick"
        " : null; })()" % json.dumps(selector)
    )
    return _wait(browser, shown, timeout, "%s on %s" % (selector, path)) / 1000.0


def measure(args):
    executable = find_browser()
    if not executable:
        raise SystemExit("no Chromium on this machine")
    browser = Browser(executable)
    results = {}
    try:
        browser.set_session(
            args.url, session_id(args.url, args.database, args.login, args.password)
        )
        # load the web client's assets once: a user's browser has them cached
        open_screen(browser, "%s/odoo" % args.url, ".o_main_navbar", args.timeout)
        for key in args.screens:
            label, path, selector = SCREENS[key]
            if args.in_app:
                times = [
                    open_screen_in_app(browser, "%s/odoo" % args.url, path, selector, args.timeout)
                    for _index in range(args.repeat)
                ]
            else:
                times = [
                    open_screen(browser, args.url + path, selector, args.timeout)
                    for _index in range(args.repeat)
                ]
            results[key] = {
                "label": label,
                "path": path,
                "first_s": times[0],
                "median_s": statistics.median(times),
                "times_s": times,
            }
            print(
                "  %-40s first %.2f s, median %.2f s" % (label, times[0], results[key]["median_s"]),
                flush=True,
            )
            if args.screenshots:
                browser.screenshot(Path(args.screenshots) / ("%s.png" % key))
    finally:
        browser.close()
    return results


def report(results, target):
    lines = ["| screen | first (s) | median (s) | target <= %g s |" % target, "|---|---:|---:|---|"]
    for result in results.values():
        lines.append(
            "| %s | %.2f | %.2f | %s |"
            % (
                result["label"],
                result["first_s"],
                result["median_s"],
                "PASS" if max(result["first_s"], result["median_s"]) <= target else "FAIL",
            )
        )
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    results = measure(args)
    print(report(results, args.target))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {"target_s": args.target, "in_app": args.in_app, "screens": results},
                handle,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
