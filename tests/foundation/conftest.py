"""Fixtures that run the harness's shell scripts for real on a machine without Odoo.

* ``bare_bin``: a folder for ``PATH`` with only the basic tools the scripts use (no
  ``odoo``, whatever the machine has installed);
* ``fake_venv``: a tools venv whose Python runs the helper scripts for real but answers
  ``-m pip`` with success and ``-m pytest`` with a stub (its calls are logged, its exit
  status is ``STUB_PYTEST_RC``); ruff and pylint always pass. The test command then runs
  every step in a second, without recursing into this test suite;
* ``run_test_sh(env, *args)``: ``bash scripts/test.sh`` with exactly that environment.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = (
    "awk bash cat cut date dirname env find git grep head id mkdir mktemp rm sed "
    "sha256sum sort tail tr".split()
)


def write_script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def bare_bin(tmp_path) -> Path:
    folder = tmp_path / "bare-bin"
    folder.mkdir()
    for name in TOOLS:
        found = shutil.which(name)
        if found:
            (folder / name).symlink_to(found)
    # a wrapper, not a symlink: a venv's Python finds its venv through its own path
    write_script(folder / "python3", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    return folder


@pytest.fixture
def fake_venv(tmp_path) -> Path:
    venv = tmp_path / "tools-venv"
    log = tmp_path / "pytest-calls.log"
    write_script(
        venv / "bin" / "python",
        f"""#!/bin/sh
case "$1 $2" in
    "-m pip") exit 0 ;;
    "-m pytest")
        shift 2
        echo "$*" >>"{log}"
        echo "3 passed in 0.01s"
        exit "${{STUB_PYTEST_RC:-0}}" ;;
esac
exec "{sys.executable}" "$@"
""",
    )
    for tool in ("ruff", "pylint"):
        write_script(venv / "bin" / tool, "#!/bin/sh\nexit 0\n")
    return venv


@pytest.fixture
def stub_pytest_calls(tmp_path):
    """The argument lines the stub pytest of ``fake_venv`` was called with."""
    log = tmp_path / "pytest-calls.log"
    return lambda: log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.fixture
def bare_env(tmp_path, bare_bin) -> dict[str, str]:
    """No Odoo, no ODOO_BIN, an empty home (so no previously fetched Odoo)."""
    home = tmp_path / "home"
    home.mkdir()
    return {"PATH": str(bare_bin), "HOME": str(home), "LANG": "C.UTF-8"}


@pytest.fixture
def run_test_sh(repo_root):
    def run(env: dict[str, str], *args: str, timeout: float = 120):
        return subprocess.run(
            [shutil.which("bash") or "/bin/bash", str(repo_root / "scripts" / "test.sh"), *args],
            env=env,
            cwd=str(repo_root),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
