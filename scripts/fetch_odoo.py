#!/usr/bin/env python3
"""Obtain Odoo 19 for the test command when none is installed (``MEDAPS_FETCH_ODOO=1``).

Standard library only (runs under the tools venv or a bare Python 3.10+).

* Source: the official repository, ``git clone --depth 1 --branch 19.0``
  https://github.com/odoo/odoo; when that fails, the official nightly source archive of
  19.0. ``MEDAPS_ODOO_SOURCE`` replaces both with one git URL (``file://`` works) or one
  ``.tar.gz`` archive URL.
* Into the cache folder (``MEDAPS_ODOO_CACHE``, default
  ``${XDG_CACHE_HOME:-~/.cache}/med-aps/odoo-19.0``): ``src/`` the source, ``venv/`` a
  virtualenv with Odoo's ``requirements.txt`` installed, except python-ldap (it needs
  the LDAP headers; only the auth_ldap addon uses it) and with psycopg2 taken as
  psycopg2-binary (the source build needs libpq's headers); the source is on the
  virtualenv's path (a ``.pth`` file), so its Python imports Odoo.
* A complete cache is reused without any download; an interrupted one is redone.

``--shell`` prints shell assignments for ``scripts/test.sh``: ``FETCH_OK``,
``FETCH_BIN`` and ``FETCH_PYTHON`` (the launcher and its Python), or ``FETCH_ERROR``, one
line saying why Odoo could not be obtained. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

from odoo_env import ODOO_BRANCH, FetchedOdoo, odoo_cache_dir

OFFICIAL_GIT = "https://github.com/odoo/odoo"
OFFICIAL_ARCHIVE = (
    f"https://nightly.odoo.com/{ODOO_BRANCH}/nightly/src/odoo_{ODOO_BRANCH}.latest.tar.gz"
)
ARCHIVE_RE = re.compile(r"\.(tar\.gz|tgz|tar\.xz|tar\.bz2|tar)$")
# requirement name -> replacement (None: left out); see the module docstring
REQUIREMENT_CHANGES = {"python-ldap": None, "psycopg2": "psycopg2-binary"}
REQUIREMENT_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# a stalled transfer is abandoned instead of waiting forever
GIT_OPTIONS = ["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=60"]
NETWORK_TIMEOUT = 60


class FetchError(Exception):
    """Why Odoo could not be obtained, in one line."""


def _one_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def _say(message: str) -> None:
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


def sources(environ: dict[str, str]) -> list[str]:
    wanted = environ.get("MEDAPS_ODOO_SOURCE", "").strip()
    return [wanted] if wanted else [OFFICIAL_GIT, OFFICIAL_ARCHIVE]


def git_clone(url: str, target: Path) -> None:
    command = ["git", *GIT_OPTIONS, "clone", "--quiet", "--depth", "1", "--single-branch"]
    command += ["--branch", ODOO_BRANCH, url, str(target)]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError:
        raise FetchError("git is not installed") from None
    if proc.returncode:
        raise FetchError(_one_line(proc.stderr or proc.stdout))


def download_archive(url: str, target: Path) -> None:
    archive = target.parent / "source.tar"
    unpacked = target.parent / "unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    try:
        with urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT) as response:
            with archive.open("wb") as handle:
                shutil.copyfileobj(response, handle, 1 << 20)
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(unpacked, filter="data")
            else:  # Python < 3.11.4: no extraction filter
                tar.extractall(unpacked)
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise FetchError(_one_line(str(getattr(exc, "reason", "") or exc))) from None
    finally:
        archive.unlink(missing_ok=True)
    # the archive holds one folder, odoo-19.0.postYYYYMMDD/
    entries = list(unpacked.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else unpacked
    root.rename(target)
    shutil.rmtree(unpacked, ignore_errors=True)


def download(source: str, target: Path) -> None:
    if ARCHIVE_RE.search(source.split("?", 1)[0]):
        download_archive(source, target)
    else:
        git_clone(source, target)


def requirements(text: str) -> list[str]:
    """Odoo's requirement lines with REQUIREMENT_CHANGES applied."""
    kept = []
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].strip()
        match = REQUIREMENT_NAME_RE.match(requirement)
        if not match:
            continue
        name = match.group(1)
        normalized = re.sub(r"[-_.]+", "-", name).lower()
        if normalized in REQUIREMENT_CHANGES:
            replacement = REQUIREMENT_CHANGES[normalized]
            if replacement is None:
                continue
            requirement = replacement + requirement[len(name) :]
        kept.append(requirement)
    return kept


def make_venv(fetched: FetchedOdoo, python: str) -> None:
    venv = fetched.venv_python.parent.parent
    shutil.rmtree(venv, ignore_errors=True)
    proc = subprocess.run(
        [python, "-m", "venv", str(venv)], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise FetchError(f"'{python} -m venv' failed: {_one_line(proc.stderr or proc.stdout)}")
    # the source on the venv's path: the archive's launcher (setup/odoo) is not beside
    # the odoo package, and tools run with this Python import Odoo as installed
    proc = subprocess.run(
        [str(fetched.venv_python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise FetchError(f"the new virtualenv does not run: {_one_line(proc.stderr)}")
    site = Path(proc.stdout.strip())
    (site / "med-aps-odoo-source.pth").write_text(f"{fetched.source}\n", encoding="utf-8")
    source = fetched.source / "requirements.txt"
    if not source.is_file():
        raise FetchError(f"{fetched.source} has no requirements.txt")
    wanted = requirements(source.read_text(encoding="utf-8"))
    # what was installed, kept beside the venv for whoever looks into the cache
    kept = fetched.folder / "requirements.txt"
    kept.write_text("".join(f"{line}\n" for line in wanted), encoding="utf-8")
    if not wanted:
        return
    log = fetched.folder / "pip.log"
    _say(f"installing Odoo's requirements into {venv} (log: {log})")
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.run(
            [str(fetched.venv_python), "-m", "pip", "install", "-r", str(kept)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if proc.returncode:
        raise FetchError(f"installing Odoo's requirements failed: {_tail(log)} (log: {log})")


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1].strip()


def fetch(environ: dict[str, str], python: str) -> FetchedOdoo:
    """The cached Odoo, fetched first if the cache is not complete."""
    folder = odoo_cache_dir(environ)
    if folder is None:
        raise FetchError("no cache folder: set MEDAPS_ODOO_CACHE (or HOME)")
    fetched = FetchedOdoo(folder)
    if fetched.complete:
        _say(f"Odoo {ODOO_BRANCH}: reusing the one fetched into {folder}")
        return fetched
    fetched.marker.unlink(missing_ok=True)
    if not fetched.source_marker.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        failures = []
        for source in sources(environ):
            start = time.monotonic()
            try:
                download(source, fetched.source)
            except FetchError as exc:
                failures.append(f"{source}: {exc}")
                shutil.rmtree(fetched.source, ignore_errors=True)
                continue
            took = time.monotonic() - start
            _say(f"Odoo {ODOO_BRANCH}: downloaded {source} into {folder} ({took:.0f} s)")
            break
        else:
            shutil.rmtree(folder, ignore_errors=True)
            raise FetchError(
                f"cannot download Odoo {ODOO_BRANCH} (MEDAPS_FETCH_ODOO=1): " + "; ".join(failures)
            )
        if not fetched.launcher.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            raise FetchError(f"{source} has no odoo-bin")
        fetched.source_marker.write_text(source + "\n", encoding="utf-8")
    make_venv(fetched, python)
    fetched.marker.write_text(f"{fetched.launcher}\n{fetched.venv_python}\n", encoding="utf-8")
    return fetched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="print shell assignments")
    parser.add_argument(
        "--python", default=sys.executable, help="Python that creates Odoo's virtualenv"
    )
    args = parser.parse_args(argv)
    try:
        fetched = fetch(dict(os.environ), args.python)
    except FetchError as exc:
        values = {"FETCH_OK": "0", "FETCH_ERROR": str(exc)}
        status = 1
    else:
        values = {
            "FETCH_OK": "1",
            "FETCH_BIN": str(fetched.launcher),
            "FETCH_PYTHON": str(fetched.venv_python),
        }
        status = 0
    if args.shell:
        for key, value in values.items():
            sys.stdout.write(f"{key}={shlex.quote(value)}\n")
        return 0
    sys.stdout.write((values.get("FETCH_ERROR") or values["FETCH_BIN"]) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
