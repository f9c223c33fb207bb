"""Shared pytest setup for every test folder (engine, foundation, e2e).

The helper scripts of ``scripts/`` (``odoo_env``, ``odoo_log``, ``check_addons``) are
importable by name from any test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = REPO_ROOT / "scripts"

if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
