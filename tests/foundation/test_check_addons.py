"""scripts/check_addons.py: the XML / manifest quality gate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import check_addons
import pytest

GOOD_MANIFEST = """{
    "name": "Demo",
    "version": "19.0.1.0.0",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "views/demo_views.xml"],
    "demo": ["demo/demo.xml"],
    "assets": {
        "web.assets_tests": ["med_demo/static/tests/tours/*.js"],
        "web.assets_backend": [
            ("include", "web._assets_helpers"),
            ("after", "web/static/src/x.js", "med_demo/static/src/a.js"),
            "web/static/src/other_addon_file.js",
        ],
    },
    "installable": True,
}
"""
VIEW = '<?xml version="1.0"?>\n<odoo><record id="view_a" model="ir.ui.view"/></odoo>\n'


def make_addon(root: Path, manifest: str = GOOD_MANIFEST, name: str = "med_demo") -> Path:
    addon = root / "addons" / name
    for rel, text in {
        "__init__.py": "",
        "__manifest__.py": manifest,
        "readme/DESCRIPTION.md": "Demo addon.\n",
        "security/ir.model.access.csv": "id,name\n",
        "views/demo_views.xml": VIEW,
        "demo/demo.xml": "<odoo/>\n",
        "static/tests/tours/tour.js": "// tour\n",
        "static/src/a.js": "// a\n",
    }.items():
        path = addon / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return addon


def test_a_complete_addon_passes(tmp_path):
    make_addon(tmp_path)
    assert check_addons.check_repo(tmp_path) == []


def test_malformed_xml_anywhere_is_reported(tmp_path):
    addon = make_addon(tmp_path)
    (addon / "views" / "demo_views.xml").write_text("<odoo><record id='x'></odoo>")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "diagram.xml").write_text("<a><b></a>")
    problems = check_addons.check_repo(tmp_path)
    assert len(problems) == 2
    xml = "addons/med_demo/views/demo_views.xml: XML is not well-formed"
    assert any(xml in p for p in problems)
    assert any("docs/diagram.xml: XML is not well-formed" in p for p in problems)


def test_a_record_updated_later_in_its_file_is_allowed(tmp_path):
    addon = make_addon(tmp_path)
    (addon / "views" / "demo_views.xml").write_text(
        '<odoo><record id="a" model="x"/><record id="a" model="x"/></odoo>'
    )
    assert check_addons.check_repo(tmp_path) == []


def test_missing_data_demo_and_asset_files(tmp_path):
    addon = make_addon(tmp_path)
    (addon / "views" / "demo_views.xml").unlink()
    (addon / "demo" / "demo.xml").unlink()
    (addon / "static" / "tests" / "tours" / "tour.js").unlink()
    (addon / "static" / "src" / "a.js").unlink()
    problems = check_addons.check_repo(tmp_path)
    manifest = "addons/med_demo/__manifest__.py"
    assert problems == [
        f"{manifest}: data file 'views/demo_views.xml' does not exist",
        f"{manifest}: demo file 'demo/demo.xml' does not exist",
        f"{manifest}: asset glob 'med_demo/static/tests/tours/*.js' of bundle "
        "'web.assets_tests' matches no file",
        f"{manifest}: asset 'med_demo/static/src/a.js' of bundle 'web.assets_backend' "
        "does not exist",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"website": "https://github.com/med-aps/med-aps",', "", "required key 'website'"),
        ('"installable": True,', "", "required key 'installable'"),
        ('"19.0.1.0.0"', '"1.0"', "version '1.0' is not of the form 19.0.x.y.z"),
        ('"19.0.1.0.0"', '"18.0.1.0.0"', "version '18.0.1.0.0'"),
        ('"LGPL-3"', '"Proprietary"', "license 'Proprietary' is not one of"),
        ('"med-aps contributors"', '"Someone"', "author 'Someone' must include"),
        ('"depends": ["base"]', '"depends": "base"', "'depends' must be a list"),
        (
            '"data": ["security/ir.model.access.csv",',
            '"data": ["security/ir.model.access.csv", "security/ir.model.access.csv",',
            "data names 'security/ir.model.access.csv' twice",
        ),
    ],
)
def test_manifest_problems(tmp_path, old, new, expected):
    assert old in GOOD_MANIFEST
    make_addon(tmp_path, GOOD_MANIFEST.replace(old, new))
    problems = check_addons.check_repo(tmp_path)
    assert len(problems) == 1, problems
    assert problems[0].startswith("addons/med_demo/__manifest__.py: ")
    assert expected in problems[0]


def test_unparsable_manifest_and_missing_readme(tmp_path):
    addon = make_addon(tmp_path, "{'name': 'x',")
    (addon / "readme" / "DESCRIPTION.md").unlink()
    problems = check_addons.check_repo(tmp_path)
    assert problems[0] == "addons/med_demo: readme/DESCRIPTION.md is missing"
    assert "manifest is not a Python literal" in problems[1]
    assert len(problems) == 2


def test_command_line_exit_status(tmp_path):
    script = Path(check_addons.__file__)
    make_addon(tmp_path)
    ok = subprocess.run(
        [sys.executable, script, tmp_path], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout
    assert "1 addon(s), manifests and XML files OK" in ok.stdout
    (tmp_path / "addons" / "med_demo" / "views" / "demo_views.xml").write_text("<odoo>")
    bad = subprocess.run(
        [sys.executable, script, tmp_path], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "check_addons: 1 problem(s) in 1 addon(s)" in bad.stdout
