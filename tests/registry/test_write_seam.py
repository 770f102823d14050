"""Guard rail (ADR 0004): registry views and API endpoints write only through registry.actions."""

import ast
from pathlib import Path

import pytest

import khuyencong

PACKAGE = Path(khuyencong.__file__).parent
WRITES = {"save", "update", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


@pytest.mark.parametrize("module", ["registry/views.py", "registry/api.py"])
def test_interfaces_call_no_write_method(module):
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    calls = [
        f"{module}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WRITES
        and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "router")  # @router.delete
    ]
    assert calls == [], "write through registry/actions.py instead"
