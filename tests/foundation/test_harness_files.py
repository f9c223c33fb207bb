"""The test command, its helper scripts and the README that documents them, run for real:
each test runs a script the way a user would and checks what it prints and its exit status
against what README.md says."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

SHELL_SCRIPTS = [
    ".ci/run",
    "scripts/test.sh",
    "scripts/ensure_postgres.sh",
    "scripts/odoo_python_deps.sh",
    "docker/entrypoint.sh",
]
SKIP_PREFIX = "ODOO TESTS SKIPPED: "
SKIP_SUFFIX = " — only the engine tests ran"


def readme_text(repo_root: Path) -> str:
    return (repo_root / "README.md").read_text(encoding="utf-8")


def readme_code_lines(repo_root: Path) -> list[str]:
    """Every line of README's fenced code blocks (continuation lines joined)."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", readme_text(repo_root), flags=re.S)
    text = "\n".join(blocks).replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def readme_bash_commands(repo_root: Path) -> list[list[str]]:
    blocks = re.findall(r"```bash\n(.*?)```", readme_text(repo_root), flags=re.S)
    commands = []
    for line in "\n".join(blocks).replace("\\\n", " ").splitlines():
        line = line.split(" # ", 1)[0].strip()
        if line:
            commands.append(shlex.split(line))
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ci_run_is_exactly_the_test_command(repo_root):
    text = (repo_root / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "exec bash scripts/test.sh"
    assert os.access(repo_root / ".ci" / "run", os.X_OK)


def test_without_odoo_the_test_command_prints_the_readme_line_and_passes(
    repo_root, bare_env, fake_venv, run_test_sh, stub_pytest_calls
):
    """README: "Without Odoo the command still runs the gates and the engine tests ...
    prints one line ... and passes"."""
    result = run_test_sh({**bare_env, "MEDAPS_VENV": str(fake_venv)})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    lines = result.stdout.splitlines()
    skip_lines = [line for line in lines if line.startswith(SKIP_PREFIX)]
    expected = (
        f"{SKIP_PREFIX}no Odoo 19 found (set ODOO_BIN to an odoo-bin or odoo command, "
        f"or MEDAPS_FETCH_ODOO=1 to download it){SKIP_SUFFIX}"
    )
    # printed once where Odoo is looked for, and again as the very last line
    assert skip_lines == [expected, expected]
    assert lines[-1] == expected
    assert expected in readme_code_lines(repo_root), "README shows another skip line"
    # the gates ran, then pytest on tests/ (the engine tests)
    assert "check_addons:" in result.stdout
    assert stub_pytest_calls() == ["-p no:cacheprovider --durations=20 tests"]
    assert "FAILED" not in result.stdout


def test_a_failing_step_fails_the_command_without_odoo(bare_env, fake_venv, run_test_sh):
    result = run_test_sh({**bare_env, "MEDAPS_VENV": str(fake_venv), "STUB_PYTEST_RC": "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed step: pytest (exit 1)" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith(SKIP_PREFIX)


def test_odoo_under_the_wrong_python_is_named_in_the_skip_line(
    tmp_path, bare_env, bare_bin, run_test_sh
):
    """An odoo-bin whose #! Python cannot import Odoo: the line names both and ODOO_PYTHON."""
    launcher = tmp_path / "odoo-src" / "odoo-bin"
    launcher.parent.mkdir()
    # the shape of Odoo's own odoo-bin: `#!/usr/bin/env python3`, then `import odoo`
    launcher.write_text(
        "#!/usr/bin/env python3\nimport odoo_not_installed_here\n", encoding="utf-8"
    )
    launcher.chmod(0o755)
    result = run_test_sh({**bare_env, "ODOO_BIN": str(launcher)}, "--which-odoo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"{SKIP_PREFIX}found {launcher} but its Python {bare_bin / 'python3'} cannot import "
        "Odoo (ModuleNotFoundError: No module named 'odoo_not_installed_here'): "
        f"set ODOO_PYTHON to the Python that runs Odoo{SKIP_SUFFIX}"
    ]
    fixed = tmp_path / "odoo-python"
    fixed.write_text(
        f'#!/bin/sh\n[ "$2" = --version ] && echo "Odoo Server 19.0" && exit 0\n'
        f'exec "{sys.executable}" "$@"\n',
        encoding="utf-8",
    )
    fixed.chmod(0o755)
    env = {**bare_env, "ODOO_BIN": str(launcher), "ODOO_PYTHON": str(fixed)}
    result = run_test_sh(env, "--which-odoo")
    assert result.stdout.splitlines() == [f"Odoo 19.0: {launcher} (Python: {fixed})"]


def _pg_python(tmp_path: Path) -> Path:
    """Stands in for Odoo's Python in ensure_postgres.sh: `pgtool.py ping` without psycopg2,
    with pgtool's exit statuses (0 can log in, 2 nothing answers)."""
    path = tmp_path / "pg-python"
    path.write_text(
        f"""#!{sys.executable}
import os, socket, sys
assert sys.argv[1].endswith("pgtool.py") and sys.argv[2] == "ping", sys.argv
try:
    socket.create_connection((os.environ["PGHOST"], int(os.environ["PGPORT"])), 2).close()
except OSError as exc:
    sys.stderr.write(f"pgtool: could not connect to server: {{exc}}\\n")
    sys.exit(2)
""",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def _ensure_postgres(repo_root, env, python):
    return subprocess.run(
        ["bash", str(repo_root / "scripts" / "ensure_postgres.sh"), str(python)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_ensure_postgres_names_a_remote_server_that_does_not_answer(repo_root, tmp_path, bare_env):
    # 127.0.0.2 is not one of the names the script may start a local server for
    port = free_port()
    env = {**bare_env, "PGHOST": "127.0.0.2", "PGPORT": str(port), "PGUSER": "odoo"}
    result = _ensure_postgres(repo_root, env, _pg_python(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"postgres: nothing answers on 127.0.0.2:{port} and it is not a local server: "
        "start it or set PGHOST/PGPORT"
    ]


def test_ensure_postgres_accepts_a_server_that_answers(repo_root, tmp_path, bare_env):
    with socket.socket() as server:
        server.bind(("127.0.0.2", 0))
        server.listen()
        port = server.getsockname()[1]
        env = {**bare_env, "PGHOST": "127.0.0.2", "PGPORT": str(port), "PGUSER": "medaps_ci"}
        result = _ensure_postgres(repo_root, env, _pg_python(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"postgres: OK (medaps_ci@127.0.0.2:{port})"]


def test_odoo_python_deps_refuses_a_python_without_pip(repo_root, tmp_path, bare_env):
    python = tmp_path / "no-pip-python"
    python.write_text('#!/bin/sh\n[ "$2" = pip ] && exit 1\nexit 0\n', encoding="utf-8")
    python.chmod(0o755)
    result = subprocess.run(
        ["bash", str(repo_root / "scripts" / "odoo_python_deps.sh"), str(python)],
        env=bare_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"the Python that runs Odoo ({python}) has no pip: install python3-pip for it"
    ]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_commands_are_accepted_by_the_programs_they_run(repo_root, monkeypatch):
    """Each command of README's bash blocks that this repository implements is parsed by the
    program itself: a renamed option or script makes this fail."""
    from med_aps_engine import cli

    client = _load(repo_root / "examples" / "replan_client.py", "readme_replan_client")
    monkeypatch.setenv("ODOO_API_KEY", "key")
    # exact option names: argparse would accept README's --time-limit for a --time-limit-s
    monkeypatch.setattr(argparse.ArgumentParser, "_get_option_tuples", lambda *_: [])
    checked = {"med-aps": 0, "replan_client": 0, "test.sh": 0}
    for argv in readme_bash_commands(repo_root):
        # leading VAR=value assignments of the shell
        while argv and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", argv[0]):
            variable = argv.pop(0).split("=", 1)[0]
            assert f"`{variable}`" in readme_text(repo_root), f"{variable} is not documented"
        if argv[0] == "med-aps":
            if argv[1:] == ["--help"]:
                continue
            cli.build_parser().parse_args(argv[1:])
            checked["med-aps"] += 1
        elif argv[:2] == ["python3", "examples/replan_client.py"]:
            client.parse_args(argv[2:])
            checked["replan_client"] += 1
        elif argv[0] == "bash":
            assert (repo_root / argv[1]).is_file(), argv
            checked["test.sh"] += argv[1] == "scripts/test.sh"
    assert all(checked.values()), checked


def _variables_read(repo_root: Path) -> set[str]:
    """Environment variables of the harness that the scripts and e2e fixtures read."""
    names = set()
    harness = ("scripts/test.sh", "scripts/odoo_env.py", "scripts/fetch_odoo.py")
    for name in (*harness, "tests/e2e/conftest.py"):
        text = (repo_root / name).read_text(encoding="utf-8")
        names |= set(re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]*)\"", text))
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):[-?]", text))
    return {n for n in names if n.startswith(("ODOO_", "MEDAPS_", "PG"))}


def test_readme_variable_table_is_what_the_scripts_read(repo_root):
    table = set(
        re.findall(
            r"^\| `([A-Z][A-Z0-9_]*)`(?:, `([A-Z][A-Z0-9_]*)`)? \|", readme_text(repo_root), re.M
        )
    )
    documented = {name for pair in table for name in pair if name}
    read = _variables_read(repo_root)
    # set by the test command for its own children, or tuning knobs of its header comment
    internal = {
        "MEDAPS_ODOO_SKIP_REASON",
        "MEDAPS_VENV",
        "MEDAPS_ODOO_TEST_TIMEOUT",
        "MEDAPS_E2E_INSTALL_TIMEOUT",
    }
    assert documented - read == set(), "README documents variables nothing reads"
    assert read - internal - documented == set(), "variables missing from README's table"


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
