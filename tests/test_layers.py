"""Layer contracts over the import graph, read from the source (function-level imports included).

Floors, bottom to top:

* ``kernel`` and ``tabular``: mechanisms; they import no app (``tabular`` only the kernel).
* platform apps (``audit``, ``accounts``, ``jobs``, ``notifications``) and the frameworks ``web`` and ``api``: they
  import no domain app.
* domain apps: every other app (``territory``, ``organisation``, ``registry``, and any new app,
  which is a domain app unless listed here). They do not import each other's views or API.
* the top floor (``urls``, ``api_root``, ``dashboard``, ``settings``, ``cli``…) composes them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "khuyencong"
MECHANISMS = {"kernel", "tabular"}
PLATFORM = {"audit", "accounts", "jobs", "notifications"}
FRAMEWORKS = {"web", "api"}
# Modules of an app that other domain apps must not import: its pages and its API.
INTERFACE_MODULES = ("views", "api", "urls")


def _packages() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


DOMAIN = _packages() - MECHANISMS - PLATFORM - FRAMEWORKS - {"locale", "static", "templates"}


def _imports(path: Path):
    """(line, imported module) for every import in the file, relative ones resolved."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return _imports_in(path.read_text(encoding="utf-8"), module)


def _imports_in(source: str, module: str):
    tree = ast.parse(source)
    module_parts = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from khuyencong.registry import views`
                yield node.lineno, f"{target}.{alias.name}"


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "khuyencong" else None


def _files(package: str):
    root = PACKAGE / package
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts) if root.exists() else []


def _violations(packages, forbidden) -> list[str]:
    found = []
    for package in sorted(packages):
        for path in _files(package):
            for line, module in _imports(path):
                app = _app_of(module)
                if app and app != package and forbidden(package, app, module):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    return sorted(set(found))


def test_the_app_list_is_what_these_contracts_expect():
    assert {"territory", "organisation", "registry"} <= DOMAIN
    assert not (DOMAIN & (MECHANISMS | PLATFORM | FRAMEWORKS))


def test_kernel_imports_no_app():
    assert _violations({"kernel"}, lambda _pkg, app, _m: True) == []


def test_tabular_imports_only_the_kernel():
    if not (PACKAGE / "tabular").exists():
        pytest.skip("khuyencong.tabular does not exist yet")
    assert _violations({"tabular"}, lambda _pkg, app, _m: app != "kernel") == []


def test_platform_and_frameworks_import_no_domain_app():
    assert _violations(PLATFORM | FRAMEWORKS, lambda _pkg, app, _m: app in DOMAIN) == []


def _is_interface(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 2 and any(parts[2] == name or parts[2].endswith(f"_{name}") for name in INTERFACE_MODULES)


def test_domain_apps_do_not_import_each_others_views_or_api():
    assert _violations(DOMAIN, lambda _pkg, app, module: app in DOMAIN and _is_interface(module)) == []


def test_the_reader_sees_lazy_relative_and_from_imports():
    """A contract must not pass because the reader missed an import."""
    source = (
        "import khuyencong.territory.models\n"
        "def f():\n"
        "    from khuyencong.registry import views\n"
        "    from ..organisation.services import reach_of\n"
    )
    modules = {m for _line, m in _imports_in(source, "khuyencong.kernel.probe")}
    assert {"khuyencong.territory.models", "khuyencong.registry.views", "khuyencong.organisation.services"} <= modules
    assert _is_interface("khuyencong.registry.views") and _is_interface("khuyencong.registry.import_views")
    assert not _is_interface("khuyencong.registry.models")


def test_no_module_of_the_package_is_over_a_thousand_lines():
    """A module past 1,000 lines is an engine with something welded in (the old import module was
    1,975): split it before it grows further."""
    too_long = {
        str(path.relative_to(PACKAGE.parent)): count
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and (count := len(path.read_text(encoding="utf-8").splitlines())) > 1000
    }
    assert too_long == {}
