#!/usr/bin/env python3
"""Find the Odoo 19 that the test command and the end-to-end tests run against.

Standard library only: this file runs under any Python 3.10+ (the tools venv, the
interpreter that runs Odoo, or a bare system Python).

Discovery rules (documented in README.md, "Test it"):

* ``ODOO_BIN`` names the Odoo launcher: ``odoo-bin`` of a source checkout, or the
  ``odoo`` command of a pip / Debian / Docker install. When it is unset, ``odoo``
  and then ``odoo-bin`` are looked up on ``PATH``.
* The Python that runs Odoo is the launcher's shebang interpreter
  (``#!/usr/bin/env python3`` is resolved through ``PATH``); ``ODOO_PYTHON``
  overrides it.
* When neither is set nor on ``PATH``, an Odoo fetched by ``scripts/fetch_odoo.py``
  (``MEDAPS_FETCH_ODOO=1``) into the cache folder is used: ``odoo-bin`` of its source
  with the Python of its virtualenv.
* The launcher must report ``Odoo Server 19.x`` for ``--version``.

Used as a command it prints shell assignments (``--shell``) for ``scripts/test.sh``::

    eval "$(python3 scripts/odoo_env.py --shell)"
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDONS_DIR = REPO_ROOT / "addons"
# test-only addons (extension points used the way another addon uses them)
TEST_ADDONS_DIR = REPO_ROOT / "tests" / "odoo_addons"
REQUIRED_SERIES = "19"
ODOO_BRANCH = "19.0"
NOT_FOUND = "no Odoo 19 found"
HINT = "(set ODOO_BIN to an odoo-bin or odoo command, or MEDAPS_FETCH_ODOO=1 to download it)"
PYTHON_HINT = "set ODOO_PYTHON to the Python that runs Odoo"
# the last line Python prints when an import fails: the launcher's Python lacks Odoo
IMPORT_ERROR_RE = re.compile(r"^(?:ModuleNotFoundError|ImportError): .*$", re.M)
VERSION_RE = re.compile(r"Odoo Server (?:saas~)?(\d+)\.(\d+)")


@dataclass
class OdooInstall:
    """What was found (or why nothing usable was found)."""

    launcher: str | None = None
    python: str | None = None
    version: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.reason is None

    def command(self, *args: str) -> list[str]:
        """The argv that runs the launcher with its own interpreter."""
        return [self.python, self.launcher, *args]


def resolve_launcher(environ: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """Return ``(path, None)`` or ``(None, reason)``."""
    environ = os.environ if environ is None else environ
    path_var = environ.get("PATH", os.defpath)
    wanted = environ.get("ODOO_BIN", "").strip()
    if wanted:
        candidate = wanted
        if os.sep not in wanted:
            candidate = shutil.which(wanted, path=path_var) or wanted
        if not os.path.isfile(candidate):
            return None, f"ODOO_BIN={wanted} is not a file"
        return os.path.abspath(candidate), None
    for name in ("odoo", "odoo-bin"):
        found = shutil.which(name, path=path_var)
        if found:
            return os.path.abspath(found), None
    return None, f"{NOT_FOUND} {HINT}"


def odoo_cache_dir(environ: dict[str, str] | None = None) -> Path | None:
    """Folder of the Odoo fetched by ``scripts/fetch_odoo.py``: ``MEDAPS_ODOO_CACHE``, else
    ``$XDG_CACHE_HOME/med-aps/odoo-19.0`` (``~/.cache`` when unset); None without a home."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("MEDAPS_ODOO_CACHE", "").strip()
    if explicit:
        return Path(explicit).expanduser().absolute()
    base = environ.get("XDG_CACHE_HOME", "").strip()
    if not base:
        home = environ.get("HOME", "").strip()
        if not home:
            return None
        base = os.path.join(home, ".cache")
    return Path(base).expanduser().absolute() / "med-aps" / f"odoo-{ODOO_BRANCH}"


@dataclass
class FetchedOdoo:
    """Layout of the cache folder: the source, its virtualenv, and the markers written
    once each step completed (an interrupted fetch is redone, never half used)."""

    folder: Path

    @property
    def source(self) -> Path:
        return self.folder / "src"

    @property
    def venv_python(self) -> Path:
        return self.folder / "venv" / "bin" / "python"

    @property
    def source_marker(self) -> Path:
        return self.folder / "src.complete"

    @property
    def marker(self) -> Path:
        return self.folder / "fetched.complete"

    @property
    def launcher(self) -> Path:
        # a git checkout has odoo-bin; the source archive (sdist) has setup/odoo
        for candidate in (self.source / "odoo-bin", self.source / "setup" / "odoo"):
            if candidate.is_file():
                return candidate
        return self.source / "odoo-bin"

    @property
    def complete(self) -> bool:
        return self.marker.is_file() and self.launcher.is_file() and self.venv_python.exists()


def fetched_odoo(environ: dict[str, str] | None = None) -> FetchedOdoo | None:
    """The completely fetched Odoo of the cache folder, if there is one."""
    folder = odoo_cache_dir(environ)
    if folder is None:
        return None
    fetched = FetchedOdoo(folder)
    return fetched if fetched.complete else None


def shebang_python(launcher: str, environ: dict[str, str] | None = None) -> str | None:
    """The interpreter named by the launcher's ``#!`` line, resolved to a path."""
    environ = os.environ if environ is None else environ
    try:
        with open(launcher, "rb") as handle:
            first = handle.readline(512).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = shlex.split(first[2:].strip())
    if not words:
        return None
    if os.path.basename(words[0]) == "env":
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        if not words:
            return None
        return shutil.which(words[0], path=environ.get("PATH", os.defpath))
    interpreter = words[0]
    return interpreter if os.path.isfile(interpreter) else None


def parse_version(text: str) -> tuple[int, int] | None:
    match = VERSION_RE.search(text or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def discover(environ: dict[str, str] | None = None, check_version: bool = True) -> OdooInstall:
    """Find the Odoo 19 to test against; ``reason`` says why none is usable."""
    install = _discover(environ, check_version)
    if install.reason and not install.reason.startswith((NOT_FOUND, "found ")):
        install.reason = f"{NOT_FOUND}: {install.reason}"
    return install


def _discover(environ: dict[str, str] | None, check_version: bool) -> OdooInstall:
    environ = dict(os.environ if environ is None else environ)
    launcher, reason = resolve_launcher(environ)
    own_python = None
    if not launcher and not environ.get("ODOO_BIN", "").strip():
        fetched = fetched_odoo(environ)
        if fetched:
            launcher, own_python = str(fetched.launcher), str(fetched.venv_python)
    if not launcher:
        return OdooInstall(reason=reason)
    explicit = environ.get("ODOO_PYTHON", "").strip()
    python = explicit or own_python or shebang_python(launcher, environ)
    if python and os.sep not in python:
        python = shutil.which(python, path=environ.get("PATH", os.defpath))
    if not python or not os.path.isfile(python):
        if explicit:
            why = f"ODOO_PYTHON={explicit} is not a file"
        else:
            why = "cannot tell which Python runs it (no usable #! line)"
        return OdooInstall(launcher=launcher, reason=f"found {launcher} but {why}: {PYTHON_HINT}")
    install = OdooInstall(launcher=launcher, python=python)
    if not check_version:
        return install
    try:
        proc = subprocess.run(
            install.command("--version"),
            capture_output=True,
            text=True,
            timeout=120,
            env=environ,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        install.reason = f"found {launcher} but '{python} {launcher} --version' failed: {exc}"
        return install
    output = (proc.stdout or "") + (proc.stderr or "")
    version = parse_version(output)
    if not version:
        imports = IMPORT_ERROR_RE.findall(output)
        if imports:
            # typical of an odoo-bin whose #! Python is not the one Odoo is installed in
            whose = f"ODOO_PYTHON={python}" if explicit else f"its Python {python}"
            install.reason = (
                f"found {launcher} but {whose} cannot import Odoo ({imports[-1].strip()}): "
                f"{PYTHON_HINT}"
            )
        else:
            last = output.strip().splitlines()[-1:] or ["no output"]
            install.reason = (
                f"found {launcher} but it did not print 'Odoo Server 19.0' for --version "
                f"({last[0].strip()})"
            )
        return install
    install.version = f"{version[0]}.{version[1]}"
    if str(version[0]) != REQUIRED_SERIES:
        install.reason = f"found {launcher}, Odoo {install.version}: med-aps needs Odoo 19"
    return install


def read_manifest(addon_dir: Path) -> dict:
    text = (addon_dir / "__manifest__.py").read_text(encoding="utf-8")
    value = ast.literal_eval(text)
    if not isinstance(value, dict):
        raise ValueError(f"{addon_dir.name}/__manifest__.py is not a dict")
    return value


def repo_addons(addons_dir: Path = ADDONS_DIR) -> list[str]:
    """Installable addons of the repository, sorted by name."""
    if not addons_dir.is_dir():
        return []
    names = []
    for child in sorted(addons_dir.iterdir()):
        if not (child / "__manifest__.py").is_file() or not (child / "__init__.py").is_file():
            continue
        try:
            manifest = read_manifest(child)
        except (SyntaxError, ValueError):
            # check_addons.py reports the broken manifest; Odoo would refuse it too.
            names.append(child.name)
            continue
        if manifest.get("installable", True):
            names.append(child.name)
    return names


def _can_bind(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(
    host: str = "127.0.0.1", environ: dict[str, str] | None = None, exclude: tuple[int, ...] = ()
) -> int:
    """A free TCP port: from ``MEDAPS_HTTP_PORTS`` ("8300-8319") when set, else any."""
    environ = os.environ if environ is None else environ
    wanted = environ.get("MEDAPS_HTTP_PORTS", "").strip()
    if wanted:
        first, _, last = wanted.partition("-")
        for port in range(int(first), int(last or first) + 1):
            if port not in exclude and _can_bind(host, port):
                return port
        raise RuntimeError(f"no free port in MEDAPS_HTTP_PORTS={wanted}")
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in exclude:
            return port


def db_prefix(environ: dict[str, str] | None = None) -> str:
    """Prefix of the throwaway databases (``MEDAPS_DB_PREFIX``, default ``medaps``)."""
    environ = os.environ if environ is None else environ
    prefix = environ.get("MEDAPS_DB_PREFIX", "").strip() or "medaps"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", prefix):
        raise ValueError(f"MEDAPS_DB_PREFIX={prefix!r}: use lowercase letters, digits and _")
    return prefix


def db_options(environ: dict[str, str] | None = None) -> list[str]:
    """Odoo command-line options for the PostgreSQL server given by PG* variables."""
    environ = os.environ if environ is None else environ
    options = [
        "--db_host",
        environ.get("PGHOST") or "127.0.0.1",
        "--db_port",
        environ.get("PGPORT") or "5432",
        "--db_user",
        environ.get("PGUSER") or "odoo",
    ]
    if environ.get("PGPASSWORD"):
        options += ["--db_password", environ["PGPASSWORD"]]
    return options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="print shell assignments")
    parser.add_argument("--addons", action="store_true", help="print the repo's addons")
    parser.add_argument(
        "--test-addons", action="store_true", help="print the test-only addons (tests/odoo_addons)"
    )
    parser.add_argument("--free-port", action="store_true", help="print a free TCP port")
    parser.add_argument("--db-prefix", action="store_true", help="print the database prefix")
    args = parser.parse_args(argv)
    if args.addons:
        sys.stdout.write(",".join(repo_addons()) + "\n")
        return 0
    if args.test_addons:
        sys.stdout.write(",".join(repo_addons(TEST_ADDONS_DIR)) + "\n")
        return 0
    if args.free_port:
        sys.stdout.write(f"{free_port()}\n")
        return 0
    if args.db_prefix:
        sys.stdout.write(f"{db_prefix()}\n")
        return 0
    install = discover()
    if args.shell:
        values = {
            "ODOO_FOUND": "1" if install.found else "0",
            "ODOO_LAUNCHER": install.launcher or "",
            "ODOO_PY": install.python or "",
            "ODOO_VERSION": install.version or "",
            "ODOO_SKIP_REASON": install.reason or "",
        }
        for key, value in values.items():
            sys.stdout.write(f"{key}={shlex.quote(value)}\n")
        return 0
    if install.found:
        sys.stdout.write(f"Odoo {install.version}: {install.launcher} (Python {install.python})\n")
        return 0
    sys.stdout.write(f"no usable Odoo: {install.reason}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
