"""README command 1 (`docker compose up`): Docker cannot run here, so the files are
checked statically: compose services, images, ports, volumes, the Dockerfile's installs,
the entrypoint and config/odoo.conf."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import stat
import subprocess

import pytest
import yaml


@pytest.fixture(scope="module")
def compose(repo_root):
    return yaml.safe_load((repo_root / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_services_and_images(compose):
    services = compose["services"]
    assert set(services) == {"db", "odoo", "tests"}
    assert services["db"]["image"] == "postgres:16"
    assert services["db"]["environment"]["POSTGRES_USER"] == "odoo"
    assert services["odoo"]["build"] == "."
    depends = services["odoo"]["depends_on"]
    assert "db" in depends


def test_every_published_port_is_bound_to_localhost(compose):
    published = []
    for name, service in compose["services"].items():
        for port in service.get("ports") or []:
            published.append(port)
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on all interfaces"
    assert "127.0.0.1:8069:8069" in published


def test_compose_volumes(compose, repo_root):
    odoo = compose["services"]["odoo"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in odoo["volumes"]}
    assert mounts["/etc/odoo/odoo.conf"] == "./config/odoo.conf"
    assert mounts["/mnt/extra-addons"] == "./addons"
    assert mounts["/var/lib/odoo"] in compose["volumes"]
    db_mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["services"]["db"]["volumes"]}
    assert db_mounts["/var/lib/postgresql/data"] in compose["volumes"]
    for source in (*mounts.values(), *db_mounts.values()):
        if source.startswith("."):
            assert (repo_root / source).exists(), f"{source} is mounted but missing"


def test_dockerfile_extends_odoo_19_and_installs_the_engine(repo_root):
    text = (repo_root / "Dockerfile").read_text(encoding="utf-8")
    instructions = [
        line.split(None, 1)
        for line in text.splitlines()
        if line.strip() and not line.startswith((" ", "#"))
    ]
    assert instructions[0] == ["FROM", "odoo:19.0"]
    copies = [args for cmd, args in instructions if cmd == "COPY"]
    assert any(
        "pyproject.toml" in c and "odoo-addons.txt" in c and "README.md" in c for c in copies
    )
    assert any("med_aps_engine" in c for c in copies)
    assert any(c.split()[-2:] == ["addons/", "/mnt/extra-addons/"] for c in copies)
    assert any("docker/entrypoint.sh" in c for c in copies)
    assert "pip install --no-cache-dir --break-system-packages ." in text
    assert "--no-deps $oca_addons" in text
    users = [args for cmd, args in instructions if cmd == "USER"]
    assert users == ["root", "odoo"], "installs as root, runs as odoo"
    for name in ("pyproject.toml", "README.md", "odoo-addons.txt", "med_aps_engine"):
        assert (repo_root / name).exists()


def test_entrypoint_initialises_the_demo_database_once(repo_root):
    entrypoint = repo_root / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    text = entrypoint.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n")
    # every med-aps addon: the Odoo apps bring in the bridges (auto_install)
    default = "med_aps,med_trace,med_quality_release,med_change,maintenance,hr_skills"
    assert "ADDONS=${MEDAPS_ADDONS:-%s,purchase_stock,sale_mrp}" % default in text
    assert '-i "$ADDONS" --with-demo --stop-after-init' in text
    assert 'exec /entrypoint.sh "$@"' in text
    subprocess.run(["bash", "-n", str(entrypoint)], check=True)


def test_odoo_conf(repo_root):
    parser = configparser.ConfigParser()
    parser.read(repo_root / "config" / "odoo.conf", encoding="utf-8")
    options = parser["options"]
    assert "/mnt/extra-addons" in options["addons_path"].split(",")
    assert options["db_host"] == "db"
    assert options["db_name"] == "medaps"
    assert options.getboolean("list_db") is False
    assert options.getboolean("proxy_mode") is False
    assert int(options["workers"]) >= 0
    assert int(options["max_cron_threads"]) >= 1
    assert int(options["limit_time_real"]) > 0


def test_odoo_conf_commits_no_master_password(repo_root):
    parser = configparser.ConfigParser()
    parser.read(repo_root / "config" / "odoo.conf", encoding="utf-8")
    assert "admin_passwd" not in parser["options"]


def _write_conf(repo_root, tmp_path, environ):
    source = tmp_path / "source.conf"
    source.write_text("[options]\nadmin_passwd = committed-secret\ndb_host = db\n")
    target, password_file = tmp_path / "odoo.conf", tmp_path / "master-password"
    result = subprocess.run(
        ["bash", str(repo_root / "docker" / "odoo-conf.sh"), source, target, password_file],
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
        check=False,
    )
    return result, target, password_file


def _options(path):
    parser = configparser.ConfigParser()
    parser.read(path, encoding="utf-8")
    return parser["options"]


def test_master_password_comes_from_the_environment(repo_root, tmp_path):
    result, target, password_file = _write_conf(
        repo_root, tmp_path, {"MEDAPS_ADMIN_PASSWD": "from-env"}
    )
    assert result.returncode == 0, result.stderr
    options = _options(target)
    assert options["admin_passwd"] == "from-env"
    assert options["db_host"] == "db"
    assert not password_file.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_master_password_is_generated_once_and_kept(repo_root, tmp_path):
    result, target, password_file = _write_conf(repo_root, tmp_path, {})
    assert result.returncode == 0, result.stderr
    first = _options(target)["admin_passwd"]
    assert len(first) >= 24 and first != "committed-secret"
    assert password_file.read_text().strip() == first
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    result, target, _ = _write_conf(repo_root, tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert _options(target)["admin_passwd"] == first
    assert target.read_text().count("admin_passwd") == 1


def test_entrypoint_runs_odoo_with_the_generated_configuration(repo_root, compose):
    text = (repo_root / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    assert "med-aps-odoo-conf.sh /etc/odoo/odoo.conf /var/lib/odoo/odoo.conf" in text
    assert "export ODOO_RC=/var/lib/odoo/odoo.conf" in text
    dockerfile = (repo_root / "Dockerfile").read_text(encoding="utf-8")
    assert "docker/odoo-conf.sh /usr/local/bin/med-aps-odoo-conf.sh" in dockerfile
    environment = compose["services"]["odoo"]["environment"]
    assert environment["MEDAPS_ADMIN_PASSWD"] == "${MEDAPS_ADMIN_PASSWD:-}"


def test_tests_service_runs_the_test_command_on_the_checkout(compose, repo_root):
    """`docker compose run --rm tests`: README command 2 in the image, on this checkout,
    against the db service; `docker compose up` does not start it."""
    tests = compose["services"]["tests"]
    assert tests["profiles"] == ["tests"]
    assert tests["image"] == compose["services"]["odoo"]["image"]
    assert tests["entrypoint"] == ["bash", "scripts/test.sh"]
    assert tests["working_dir"] == "/src"
    assert ".:/src" in tests["volumes"]
    assert tests["environment"]["PGHOST"] == "db"
    assert tests["depends_on"]["db"]["condition"] == "service_healthy"
    # the entrypoint it runs is the one CI runs
    ci = (repo_root / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec bash scripts/test.sh" in ci
    assert "ports" not in tests
    # README's `docker compose run --rm tests` names this service, which runs command 2
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"`docker compose run --rm ([\w-]+)`", readme)) == {"tests"}
    command_2 = re.search(r"^Command 2:\n\n```bash\n(.*?)\n```", readme, flags=re.M | re.S)
    assert command_2, "README has no command 2 block"
    assert shlex.split(command_2.group(1)) == tests["entrypoint"]
