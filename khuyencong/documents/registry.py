"""The kinds of official document the system can generate.

A kind names itself (``key``), says what people call it (``label``), which form collects its
parameters (``form_class``: pickers, not code boxes), which named action on
``documents.generateddocument`` a person needs to generate it (``permission``), and how to build
it: ``build(user, params) -> OfficialDocument`` where ``params`` is the form's cleaned data. A
builder reads the records through selectors scoped to ``user`` and raises
``kernel.lifecycle.ActionRefused(code="empty_period", …)`` when there is nothing to report, so
that nothing is written. Kinds are listed in ``documents/kinds/__init__.py`` (``KINDS``) and
registered when the app is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khuyencong.documents.model import OfficialDocument

RESOURCE = "documents.generateddocument"
GENERATE = "generate"

Builder = Callable[[Any, dict], OfficialDocument]


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: Any  # a lazy translation
    build: Builder
    form_class: type  # a django.forms.Form; its __init__ takes ``user=`` as a keyword
    permission: str = GENERATE  # the named action on documents.generateddocument
    description: Any = ""
    # Optional: a further check on who may generate (e.g. only the Agency); None allows anyone
    # holding ``permission``.
    allowed: Callable[[Any], bool] | None = None
    # Optional: the scope the document covers, from the params, recorded on the log row:
    # ``scope(user, params) -> (province or None, org unit or None)``; None records the user's unit.
    scope: Callable[[Any, dict], tuple[Any, Any]] | None = None


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> DocumentKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[DocumentKind]:
    return list(_KINDS.values())


def may_generate(user, kind: DocumentKind) -> bool:
    from khuyencong.kernel.scoping import can

    if not (user and user.is_authenticated and can(user, kind.permission, RESOURCE)):
        return False
    return kind.allowed is None or bool(kind.allowed(user))


def kinds_for(user) -> list[DocumentKind]:
    return [kind for kind in all_kinds() if may_generate(user, kind)]
