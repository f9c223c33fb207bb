"""scripts/odoo_env.py: finding the Odoo 19 launcher and the Python that runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import odoo_env
import pytest


def fake_launcher(folder: Path, name: str, version_line: str, shebang: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shebang = shebang or f"#!{sys.executable}"
    path.write_text(f"{shebang}\nprint({version_line!r})\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_odoo_bin_that_does_not_exist_is_a_clear_skip(tmp_path):
    install = odoo_env.discover({"ODOO_BIN": "/nonexistent", "PATH": str(tmp_path)})
    assert not install.found
    assert install.reason == "no Odoo 19 found: ODOO_BIN=/nonexistent is not a file"


def test_nothing_on_path_names_the_variable(tmp_path):
    install = odoo_env.discover({"PATH": str(tmp_path)})
    assert not install.found
    assert install.reason == (
        "no Odoo 19 found (set ODOO_BIN to an odoo-bin or odoo command, "
        "or MEDAPS_FETCH_ODOO=1 to download it)"
    )


def test_odoo_then_odoo_bin_from_path(tmp_path):
    odoo_bin = fake_launcher(tmp_path / "b", "odoo-bin", "Odoo Server 19.0")
    env = {"PATH": f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}"}
    install = odoo_env.discover(env)
    assert install.found, install.reason
    assert (install.launcher, install.python, install.version) == (
        str(odoo_bin),
        sys.executable,
        "19.0",
    )
    odoo = fake_launcher(tmp_path / "a", "odoo", "Odoo Server 19.0")
    assert odoo_env.discover(env).launcher == str(odoo)


def test_env_shebang_is_resolved_through_path(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to(sys.executable)
    launcher = fake_launcher(tmp_path, "odoo-bin", "Odoo Server 19.0", "#!/usr/bin/env python3")
    env = {"ODOO_BIN": str(launcher), "PATH": str(bindir)}
    install = odoo_env.discover(env)
    assert install.found, install.reason
    assert install.python == str(bindir / "python3")


def test_odoo_python_overrides_the_shebang(tmp_path):
    launcher = fake_launcher(tmp_path, "odoo-bin", "Odoo Server 19.0", "#!/no/such/python")
    env = {"ODOO_BIN": str(launcher), "PATH": str(tmp_path)}
    assert odoo_env.discover(env).reason == (
        f"found {launcher} but cannot tell which Python runs it (no usable #! line): "
        "set ODOO_PYTHON to the Python that runs Odoo"
    )
    install = odoo_env.discover({**env, "ODOO_PYTHON": sys.executable})
    assert install.found, install.reason
    assert install.command("-d", "x") == [sys.executable, str(launcher), "-d", "x"]


def test_other_odoo_versions_are_refused(tmp_path):
    launcher = fake_launcher(tmp_path, "odoo", "Odoo Server 18.0")
    install = odoo_env.discover({"ODOO_BIN": str(launcher), "PATH": str(tmp_path)})
    assert not install.found
    assert install.reason == f"found {launcher}, Odoo 18.0: med-aps needs Odoo 19"
    broken = fake_launcher(tmp_path, "odoo-broken", "usage: odoo-bin [--version]")
    install = odoo_env.discover({"ODOO_BIN": str(broken), "PATH": str(tmp_path)})
    assert install.reason == (
        f"found {broken} but it did not print 'Odoo Server 19.0' for --version "
        "(usage: odoo-bin [--version])"
    )


def test_parse_version():
    assert odoo_env.parse_version("Odoo Server 19.0") == (19, 0)
    assert odoo_env.parse_version("Odoo Server saas~19.2+e") == (19, 2)
    assert odoo_env.parse_version("Odoo Server") is None


def test_repo_addons_lists_installable_addons(tmp_path):
    for name, installable in (("med_b", True), ("med_a", True), ("med_off", False)):
        addon = tmp_path / name
        addon.mkdir()
        (addon / "__init__.py").write_text("")
        manifest = f"{{'name': '{name}', 'installable': {installable}}}"
        (addon / "__manifest__.py").write_text(manifest)
    (tmp_path / "not_an_addon").mkdir()
    assert odoo_env.repo_addons(tmp_path) == ["med_a", "med_b"]


def test_db_options_follow_pg_variables():
    assert odoo_env.db_options({}) == [
        "--db_host",
        "127.0.0.1",
        "--db_port",
        "5432",
        "--db_user",
        "odoo",
    ]
    options = odoo_env.db_options({"PGHOST": "db", "PGUSER": "u", "PGPASSWORD": "p"})
    assert options[-2:] == ["--db_password", "p"]
    assert options[1] == "db"


def test_free_port_honours_the_port_range():
    port = odoo_env.free_port(environ={"MEDAPS_HTTP_PORTS": "8300-8319"})
    assert 8300 <= port <= 8319
    other = odoo_env.free_port(environ={"MEDAPS_HTTP_PORTS": "8300-8319"}, exclude=(port,))
    assert other != port and 8300 <= other <= 8319
    assert odoo_env.free_port(environ={}) > 0


def test_db_prefix():
    assert odoo_env.db_prefix({}) == "medaps"
    assert odoo_env.db_prefix({"MEDAPS_DB_PREFIX": "fd"}) == "fd"
    with pytest.raises(ValueError, match="MEDAPS_DB_PREFIX"):
        odoo_env.db_prefix({"MEDAPS_DB_PREFIX": "Bad-Name"})


def test_launcher_under_the_wrong_python_names_odoo_python(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    launcher = folder / "odoo-bin"
    launcher.write_text(f"#!{sys.executable}\nimport odoo_not_installed_here\n", encoding="utf-8")
    launcher.chmod(0o755)
    install = odoo_env.discover({"ODOO_BIN": str(launcher), "PATH": str(folder)})
    assert not install.found
    assert install.reason == (
        f"found {launcher} but its Python {sys.executable} cannot import Odoo "
        "(ModuleNotFoundError: No module named 'odoo_not_installed_here'): "
        "set ODOO_PYTHON to the Python that runs Odoo"
    )


def test_test_addons_are_listed_apart_from_the_addons(repo_root):
    """The test command installs the test-only addons beside addons/; users never do."""
    out = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "odoo_env.py"), "--test-addons"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "test_med_aps_extension" in out.split(",")
    assert "test_med_aps_extension" not in odoo_env.repo_addons()
    manifest = odoo_env.read_manifest(odoo_env.TEST_ADDONS_DIR / "test_med_aps_extension")
    assert manifest["depends"] == ["med_aps"]
