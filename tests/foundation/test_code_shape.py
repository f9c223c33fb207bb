"""The code stays readable: no function of the engine or of an addon's models, services and
wizards longer than a screenful or two (the architecture rule: about 120 lines)."""

from __future__ import annotations

import ast

MAX_FUNCTION_LINES = 120


def _python_files(repo_root):
    yield from sorted((repo_root / "med_aps_engine").rglob("*.py"))
    for folder in ("models", "services", "wizard", "tools"):
        yield from sorted((repo_root / "addons").glob(f"*/{folder}/*.py"))


def _long_functions(path, limit):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                yield f"{node.name} ({length} lines, line {node.lineno})"


def test_the_scanned_folders_hold_code(repo_root):
    files = list(_python_files(repo_root))
    assert any(p.name == "solver.py" for p in files)
    assert any(p.name == "problem_builder.py" for p in files)


def test_the_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    path = tmp_path / "long.py"
    path.write_text(f"def long():\n{body}\n", encoding="utf-8")
    assert list(_long_functions(path, MAX_FUNCTION_LINES)) == [
        f"long ({MAX_FUNCTION_LINES + 1} lines, line 1)"
    ]


def test_no_function_longer_than_the_limit(repo_root):
    found = [
        f"{path.relative_to(repo_root)}: {what}"
        for path in _python_files(repo_root)
        for what in _long_functions(path, MAX_FUNCTION_LINES)
    ]
    assert found == [], "split these along what they do:\n" + "\n".join(found)
