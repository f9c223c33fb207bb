"""The test command, CI entry point and README agree with each other."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

SHELL_SCRIPTS = [
    ".ci/run",
    "scripts/test.sh",
    "scripts/ensure_postgres.sh",
    "scripts/odoo_python_deps.sh",
    "docker/entrypoint.sh",
]


def test_ci_run_is_exactly_the_test_command(repo_root):
    text = (repo_root / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "exec bash scripts/test.sh"
    assert os.access(repo_root / ".ci" / "run", os.X_OK)


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_shell_scripts_parse(repo_root, script):
    subprocess.run(["bash", "-n", str(repo_root / script)], check=True)


def test_readme_commands_are_the_real_ones(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    commands = {line.strip() for block in blocks for line in block.splitlines()}
    assert "docker compose up" in commands
    assert "bash scripts/test.sh" in commands
    assert "## External API (XML-RPC and JSON-2)" in readme
    for variable in ("ODOO_BIN", "ODOO_PYTHON", "PGHOST", "PGPORT", "PGUSER"):
        assert f"`{variable}`" in readme
    skip_line = "ODOO TESTS SKIPPED: no Odoo 19 found (set ODOO_BIN to an odoo-bin or odoo command)"
    assert skip_line in readme


def test_skip_line_in_readme_is_the_one_the_harness_prints(repo_root):
    import odoo_env

    reason = odoo_env.discover({"PATH": "/nonexistent"}).reason
    test_sh = (repo_root / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert (
        'ODOO_LINE="ODOO TESTS SKIPPED: $ODOO_SKIP_REASON — only the engine tests ran"' in test_sh
    )
    printed = f"ODOO TESTS SKIPPED: {reason} — only the engine tests ran"
    assert printed in (repo_root / "README.md").read_text(encoding="utf-8")


def test_odoo_addons_txt_lists_only_pip_requirements(repo_root):
    lines = (repo_root / "odoo-addons.txt").read_text(encoding="utf-8").splitlines()
    for line in lines:
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            spec = r"\s*(==|>=|<=|~=|!=|<|>)\s*[\w.*]+"
            assert re.match(rf"^odoo-addon-[a-z0-9_-]+({spec}(,{spec})*)?$", requirement), line


def test_tools_venv_and_work_dir_are_ignored(repo_root):
    ignored = (repo_root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".venv/" in ignored
    assert "/.ci/work/" in ignored


def test_no_machine_paths_in_harness_files(repo_root):
    own = [
        *SHELL_SCRIPTS,
        "README.md",
        "Dockerfile",
        "docker-compose.yml",
        "config/odoo.conf",
        ".pylintrc",
        *(str(p.relative_to(repo_root)) for p in (repo_root / "scripts").glob("*.py")),
        *(str(p.relative_to(repo_root)) for p in Path(__file__).parent.glob("*.py")),
    ]
    pattern = re.compile(r"(?<![\w.])/(" + "opt|work" + r")/")
    for name in own:
        text = (repo_root / name).read_text(encoding="utf-8")
        assert not pattern.search(text), f"{name} names a machine path"
