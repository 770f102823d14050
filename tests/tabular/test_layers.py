"""``khuyencong.tabular`` stays generic: it imports no domain app (only the kernel)."""

from __future__ import annotations

import ast
from pathlib import Path

import khuyencong.tabular

PACKAGE = Path(khuyencong.tabular.__file__).parent
ALLOWED = ("khuyencong.kernel", "khuyencong.tabular")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_tabular_imports_only_the_kernel():
    offending = {
        f"{path.name}: {name}"
        for path in PACKAGE.glob("*.py")
        for name in imported_modules(path)
        if name.startswith("khuyencong") and not name.startswith(ALLOWED)
    }
    assert not offending


def test_no_module_is_longer_than_600_lines():
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py")}
    assert max(lengths.values()) <= 600, lengths
