"""README command 1 (`docker compose up`): Docker cannot run here, so the files are
checked statically: compose services, images, ports, volumes, the Dockerfile's installs,
the entrypoint and config/odoo.conf."""

from __future__ import annotations

import configparser
import os
import re
import subprocess

import pytest

try:
    import yaml
except ImportError:  # pragma: no cover - the tools venv has PyYAML
    yaml = None


def _scalar(text: str):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_scalar(part) for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^,\s][^,]*', inner)]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text == "":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def small_yaml(text: str):
    """The YAML subset docker-compose.yml uses: block mappings, block lists of
    scalars or flow lists, quoted and plain scalars, comments."""
    lines = []
    for raw in text.splitlines():
        stripped = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if stripped.strip():
            lines.append((len(stripped) - len(stripped.lstrip()), stripped.strip()))

    def block(index: int, indent: int):
        if lines[index][1].startswith("- "):
            items = []
            while index < len(lines) and lines[index][0] == indent:
                items.append(_scalar(lines[index][1][2:]))
                index += 1
            return items, index
        mapping = {}
        while index < len(lines) and lines[index][0] == indent:
            key, _, rest = lines[index][1].partition(":")
            index += 1
            if rest.strip():
                mapping[key.strip()] = _scalar(rest)
            elif index < len(lines) and lines[index][0] > indent:
                mapping[key.strip()], index = block(index, lines[index][0])
            else:
                mapping[key.strip()] = None
        return mapping, index

    return block(0, 0)[0] if lines else {}


def load_yaml(text: str):
    return yaml.safe_load(text) if yaml else small_yaml(text)


@pytest.fixture(scope="module")
def compose(repo_root):
    return load_yaml((repo_root / "docker-compose.yml").read_text(encoding="utf-8"))


def test_small_yaml_parser_agrees_with_pyyaml(repo_root):
    if yaml is None:
        pytest.skip("PyYAML is not installed")
    text = (repo_root / "docker-compose.yml").read_text(encoding="utf-8")
    assert small_yaml(text) == yaml.safe_load(text)


def test_compose_services_and_images(compose):
    services = compose["services"]
    assert set(services) == {"db", "odoo"}
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
    assert "ADDONS=${MEDAPS_ADDONS:-med_aps,med_trace,med_quality_release}" in text
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
