#!/usr/bin/env python3
"""Quality gate for the Odoo addons that pylint-odoo does not cover.

    check_addons.py [REPO_ROOT]

* every ``*.xml`` file of the repository is well-formed (a record declared twice in
  one file is allowed: Odoo's idiom for updating it after records it refers to);
* every addon manifest is a Python dict literal with the required keys, a
  ``19.0.x.y.z`` version, an allowed license and the project's author;
* every addon has the OCA readme fragment ``readme/DESCRIPTION.md``;
* every file the manifest names (``data``, ``demo``, ``assets``) exists; an asset
  glob must match at least one file.

Prints one line per problem (``path: problem``) and exits 1 when there is any.
Standard library only.
"""

from __future__ import annotations

import ast
import glob
import os
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

REQUIRED_KEYS = (
    "name",
    "version",
    "license",
    "author",
    "website",
    "depends",
    "data",
    "installable",
)
LIST_KEYS = ("depends", "data", "demo")
FILE_LIST_KEYS = ("data", "demo")
VERSION_RE = re.compile(r"^19\.0\.\d+\.\d+\.\d+$")
ALLOWED_LICENSES = ("LGPL-3", "AGPL-3", "GPL-3", "GPL-3 or any later version", "OPL-1")
REQUIRED_AUTHOR = "med-aps contributors"
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".ruff_cache", "build"}
# asset directives whose last item is a path of the addon: (directive, [target,] path)
ASSET_PATH_DIRECTIVES = {"append", "prepend", "after", "before", "replace"}


def iter_files(root: Path, suffix: str):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(suffix):
                yield Path(dirpath) / name


def check_xml_file(path: Path, root: Path) -> list[str]:
    rel = path.relative_to(root)
    try:
        ElementTree.parse(path)
    except ElementTree.ParseError as exc:
        return [f"{rel}: XML is not well-formed: {exc}"]
    return []


def load_manifest(path: Path) -> tuple[dict | None, str | None]:
    try:
        value = ast.literal_eval(path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError) as exc:
        return None, f"manifest is not a Python literal: {exc}"
    if not isinstance(value, dict):
        return None, "manifest is not a dict"
    return value, None


def check_asset_entry(addon: Path, bundle: str, entry, rel: Path) -> list[str]:
    if isinstance(entry, (list, tuple)):
        if not entry:
            return [f"{rel}: empty asset directive in bundle {bundle!r}"]
        directive = entry[0]
        if directive not in ASSET_PATH_DIRECTIVES:
            return []  # include / remove name bundles or other addons' files
        entry = entry[-1]
    if not isinstance(entry, str):
        return [f"{rel}: asset {entry!r} in bundle {bundle!r} is not a path"]
    first = entry.split("/", 1)[0]
    if first != addon.name:
        return []  # another addon's file: Odoo checks it when the bundle is built
    pattern = str(addon.parent / entry)
    if glob.has_magic(entry):
        if not glob.glob(pattern, recursive=True):
            return [f"{rel}: asset glob {entry!r} of bundle {bundle!r} matches no file"]
        return []
    if not os.path.isfile(pattern):
        return [f"{rel}: asset {entry!r} of bundle {bundle!r} does not exist"]
    return []


def check_manifest(addon: Path, root: Path) -> list[str]:
    manifest_path = addon / "__manifest__.py"
    rel = manifest_path.relative_to(root)
    problems = []
    if not (addon / "__init__.py").is_file():
        problems.append(f"{addon.relative_to(root)}: addon has no __init__.py")
    if not (addon / "readme" / "DESCRIPTION.md").is_file():
        problems.append(f"{addon.relative_to(root)}: readme/DESCRIPTION.md is missing")
    manifest, error = load_manifest(manifest_path)
    if error:
        return [*problems, f"{rel}: {error}"]
    problems += _check_manifest_keys(manifest, rel)
    problems += _check_manifest_files(manifest, addon, rel)
    problems += _check_manifest_assets(manifest, addon, rel)
    return problems


def _check_manifest_keys(manifest: dict, rel) -> list[str]:
    """Required keys, version, license, author and list-valued keys."""
    problems = [
        f"{rel}: required key {key!r} is missing" for key in REQUIRED_KEYS if key not in manifest
    ]
    version = manifest.get("version")
    if version is not None and not VERSION_RE.match(str(version)):
        problems.append(f"{rel}: version {version!r} is not of the form 19.0.x.y.z")
    license_ = manifest.get("license")
    if license_ is not None and license_ not in ALLOWED_LICENSES:
        problems.append(f"{rel}: license {license_!r} is not one of {', '.join(ALLOWED_LICENSES)}")
    author = manifest.get("author")
    if author is not None and REQUIRED_AUTHOR not in str(author):
        problems.append(f"{rel}: author {author!r} must include {REQUIRED_AUTHOR!r}")
    for key in LIST_KEYS:
        if key in manifest and not isinstance(manifest[key], list):
            problems.append(f"{rel}: {key!r} must be a list")
    return problems


def _check_manifest_files(manifest: dict, addon: Path, rel) -> list[str]:
    """Data and demo files: paths, listed once, present."""
    problems = []
    for key in FILE_LIST_KEYS:
        files = manifest.get(key) or []
        if not isinstance(files, list):
            continue
        seen = set()
        for name in files:
            if not isinstance(name, str):
                problems.append(f"{rel}: {key} entry {name!r} is not a path")
                continue
            if name in seen:
                problems.append(f"{rel}: {key} names {name!r} twice")
            seen.add(name)
            if not (addon / name).is_file():
                problems.append(f"{rel}: {key} file {name!r} does not exist")
    return problems


def _check_manifest_assets(manifest: dict, addon: Path, rel) -> list[str]:
    assets = manifest.get("assets") or {}
    if not isinstance(assets, dict):
        return [f"{rel}: 'assets' must be a dict"]
    problems = []
    for bundle, entries in assets.items():
        if not isinstance(entries, list):
            problems.append(f"{rel}: assets of bundle {bundle!r} must be a list")
            continue
        for entry in entries:
            problems.extend(check_asset_entry(addon, bundle, entry, rel))
    return problems


def addon_dirs(root: Path) -> list[Path]:
    addons = root / "addons"
    if not addons.is_dir():
        return []
    return [d for d in sorted(addons.iterdir()) if (d / "__manifest__.py").is_file()]


def check_repo(root: Path) -> list[str]:
    root = root.resolve()
    problems = []
    for path in iter_files(root, ".xml"):
        problems.extend(check_xml_file(path, root))
    for addon in addon_dirs(root):
        problems.extend(check_manifest(addon, root))
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    problems = check_repo(root)
    for problem in problems:
        sys.stdout.write(problem + "\n")
    count = len(addon_dirs(root.resolve()))
    if problems:
        sys.stdout.write(f"check_addons: {len(problems)} problem(s) in {count} addon(s)\n")
        return 1
    sys.stdout.write(f"check_addons: {count} addon(s), manifests and XML files OK\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
