"""MEDAPS_FETCH_ODOO=1: the test command obtains Odoo 19 itself (scripts/fetch_odoo.py).

A small local git repository (branch 19.0, a fake ``odoo-bin``, a ``requirements.txt``
with nothing to install) stands in for the official repository; no network is used."""

from __future__ import annotations

import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import fetch_odoo
import odoo_env
import pytest

FAKE_ODOO_BIN = '#!/usr/bin/env python3\nprint("Odoo Server 19.0")\n'
# python-ldap is left out: were it not, pip would try (and fail) to build it
FAKE_REQUIREMENTS = "# none to install here\npython-ldap==3.4.4 ; sys_platform != 'win32'\n"
SKIP_PREFIX = "ODOO TESTS SKIPPED: "


def write_script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def git(*args, cwd):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def odoo_repo(tmp_path):
    repo = tmp_path / "odoo-upstream"
    repo.mkdir()
    git("init", "-q", "-b", "19.0", cwd=repo)
    write_script(repo / "odoo-bin", FAKE_ODOO_BIN)
    (repo / "odoo").mkdir()
    (repo / "odoo" / "__init__.py").write_text("", encoding="utf-8")
    (repo / "requirements.txt").write_text(FAKE_REQUIREMENTS, encoding="utf-8")
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "19.0", cwd=repo)
    return repo


def test_fetch_clones_creates_the_venv_reuses_the_cache_and_discovery_finds_it(
    repo_root, tmp_path, odoo_repo, bare_env, run_test_sh
):
    cache = tmp_path / "home" / ".cache" / "med-aps" / "odoo-19.0"
    env = {
        **bare_env,
        "MEDAPS_FETCH_ODOO": "1",
        "MEDAPS_ODOO_SOURCE": f"file://{odoo_repo}",
        "PYTHON": sys.executable,
    }
    launcher, python = cache / "src" / "odoo-bin", cache / "venv" / "bin" / "python"
    found_line = f"Odoo 19.0: {launcher} (Python: {python})"

    first = run_test_sh(env, "--which-odoo")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines() == [found_line]
    assert f"downloaded file://{odoo_repo} into {cache}" in first.stderr
    shallow = subprocess.run(
        ["git", "-C", str(cache / "src"), "rev-parse", "--is-shallow-repository"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shallow.stdout.strip() == "true"
    # the venv's Python imports the fetched odoo package, whatever launcher runs it
    imported = subprocess.run(
        [str(python), "-c", "import odoo; print(odoo.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.stdout.strip() == str(cache / "src" / "odoo" / "__init__.py"), imported
    assert "python-ldap" not in (cache / "requirements.txt").read_text(encoding="utf-8")

    # a newer upstream commit is not downloaded: the complete cache is reused as it is
    (odoo_repo / "NEWER").write_text("x", encoding="utf-8")
    git("add", ".", cwd=odoo_repo)
    git("commit", "-q", "-m", "newer", cwd=odoo_repo)
    second = run_test_sh(env, "--which-odoo")
    assert second.stdout.splitlines() == [found_line]
    assert "downloaded" not in second.stderr
    assert not (cache / "src" / "NEWER").exists()
    # asked directly, the fetch says so and downloads nothing either
    third = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "fetch_odoo.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert third.returncode == 0, third.stderr
    assert third.stdout.splitlines() == [str(launcher)]
    assert third.stderr.splitlines() == [f"Odoo 19.0: reusing the one fetched into {cache}"]
    assert not (cache / "src" / "NEWER").exists()

    # later runs find it without the variable, and so do the e2e fixtures
    install = odoo_env.discover({"PATH": bare_env["PATH"], "HOME": bare_env["HOME"]})
    assert install.found, install.reason
    assert (install.launcher, install.python) == (str(launcher), str(python))
    # an explicit ODOO_BIN still wins over the cache
    install = odoo_env.discover({**bare_env, "ODOO_BIN": str(tmp_path / "missing")})
    assert install.reason == f"no Odoo 19 found: ODOO_BIN={tmp_path / 'missing'} is not a file"


def test_interrupted_fetch_is_not_used(tmp_path, odoo_repo, bare_env):
    cache = tmp_path / "cache"
    fetched = odoo_env.FetchedOdoo(cache)
    fetched.source.mkdir(parents=True)
    write_script(fetched.source / "odoo-bin", FAKE_ODOO_BIN)
    # no completion marker: an interrupted download or venv
    assert odoo_env.fetched_odoo({"MEDAPS_ODOO_CACHE": str(cache)}) is None
    install = odoo_env.discover({**bare_env, "MEDAPS_ODOO_CACHE": str(cache)})
    assert install.reason.startswith("no Odoo 19 found (set ODOO_BIN")


@pytest.mark.parametrize("pytest_rc", [0, 1])
def test_unreachable_source_is_one_line_and_changes_nothing_else(
    tmp_path, bare_env, fake_venv, run_test_sh, stub_pytest_calls, pytest_rc
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = f"http://127.0.0.1:{port}/odoo/odoo"
    env = {
        **bare_env,
        "MEDAPS_VENV": str(fake_venv),
        "MEDAPS_FETCH_ODOO": "1",
        "MEDAPS_ODOO_SOURCE": source,
        "STUB_PYTEST_RC": str(pytest_rc),
    }
    result = run_test_sh(env)
    # the exit status is the one of the other steps: the download is optional
    assert result.returncode == pytest_rc, result.stdout + result.stderr
    mentions = [line for line in (result.stdout + result.stderr).splitlines() if source in line]
    assert len(mentions) == 2, mentions  # the skip line, repeated as the last line
    line = mentions[0]
    assert line == result.stdout.splitlines()[-1]
    assert line.startswith(
        f"{SKIP_PREFIX}cannot download Odoo 19.0 (MEDAPS_FETCH_ODOO=1): {source}: fatal: "
    )
    assert line.endswith(" — only the engine tests ran")
    assert stub_pytest_calls() == ["-p no:cacheprovider --durations=20 tests"]
    assert not (tmp_path / "home" / ".cache" / "med-aps" / "odoo-19.0").exists()


def test_source_archive_is_unpacked_into_the_cache(tmp_path, odoo_repo):
    """The nightly source archive holds one folder (odoo-19.0.postDATE/) with setup/odoo."""
    folder = tmp_path / "odoo-19.0.post20260101"
    write_script(folder / "setup" / "odoo", FAKE_ODOO_BIN)
    (folder / "requirements.txt").write_text(FAKE_REQUIREMENTS, encoding="utf-8")
    archive = tmp_path / "odoo_19.0.latest.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    fetched = odoo_env.FetchedOdoo(tmp_path / "cache")
    fetched.folder.mkdir()
    fetch_odoo.download(f"file://{archive}", fetched.source)
    assert fetched.launcher == fetched.source / "setup" / "odoo"
    assert fetched.launcher.read_text(encoding="utf-8") == FAKE_ODOO_BIN
    assert sorted(p.name for p in fetched.folder.iterdir()) == ["src"]
    with pytest.raises(fetch_odoo.FetchError, match="No such file"):
        fetch_odoo.download(f"file://{tmp_path}/missing.tar.gz", tmp_path / "other")


def test_requirements_leave_out_python_ldap_and_take_psycopg2_binary():
    text = (
        "# comment\n"
        "python-ldap==3.4.4 ; sys_platform != 'win32'  # needs headers\n"
        "psycopg2==2.9.5 ; python_version == '3.11'\n"
        "psycopg2-binary==2.9.9\n"
        "Babel==2.10.3 ; python_version >= '3.11'\n"
    )
    assert fetch_odoo.requirements(text) == [
        "psycopg2-binary==2.9.5 ; python_version == '3.11'",
        "psycopg2-binary==2.9.9",
        "Babel==2.10.3 ; python_version >= '3.11'",
    ]


def test_only_the_official_sources_by_default():
    assert fetch_odoo.sources({}) == [
        "https://github.com/odoo/odoo",
        "https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz",
    ]
    assert fetch_odoo.sources({"MEDAPS_ODOO_SOURCE": "file:///srv/odoo"}) == ["file:///srv/odoo"]
