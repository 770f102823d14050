#!/usr/bin/env python
"""Check that the Vietnamese catalogue covers every translatable string, then compile it.

    .venv/bin/python scripts/check_catalogue.py

Steps (standard library only):

1. Back up ``khuyencong/locale/vi/LC_MESSAGES/django.po``.
2. Run ``manage.py makemessages -l vi --no-obsolete --no-location --ignore 'static/*'`` from
   inside ``khuyencong/`` (the same command as ``make messages``) to extract the strings the
   code and templates use today.
3. Parse the regenerated file, then put the committed file back byte for byte (always, even
   when extraction fails).
4. Fail if any extracted message is missing from the committed file, untranslated (an empty
   ``msgstr`` or ``msgstr[n]``) or marked ``#, fuzzy`` there, if a translation is not in Unicode
   NFC, or if the header is fuzzy.
5. Compile the committed file with ``msgfmt --check-format`` into ``django.mo`` next to it and
   fail if msgfmt does.
6. Look for user-facing text ``makemessages`` cannot see, which would show in English on a
   Vietnamese screen: a translation function imported or assigned under another name
   (``T = gettext_lazy``, ``gettext_lazy as tr``), one called through a module
   (``translation.gettext(...)``), a plain string given as ``verbose_name``, ``label``,
   ``help_text``… or as a model-choice label, and English text or English ``placeholder``/
   ``title``/``aria-label``/``alt`` attributes written straight into a template.

Exit status 0 when everything is in order, 1 otherwise; each problem is listed on stderr.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "khuyencong"
MANAGE_PY = ROOT / "manage.py"
LANGUAGE = "vi"
LC_DIR = APP_DIR / "locale" / LANGUAGE / "LC_MESSAGES"
PO_FILE = LC_DIR / "django.po"
MO_FILE = LC_DIR / "django.mo"

Key = tuple[str | None, str]  # (msgctxt, msgid)


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def label(self) -> str:
        text = self.msgid if len(self.msgid) <= 70 else self.msgid[:67] + "..."
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{ctx}{text!r}"


class PoSyntaxError(ValueError):
    pass


def _unquote(token: str, path: Path, lineno: int) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise PoSyntaxError(f"{path}:{lineno}: expected a quoted string, got {token!r}")
    try:
        # PO strings use C escapes (\n, \t, \", \\), which a Python literal reads the same way.
        return ast.literal_eval(token)
    except (SyntaxError, ValueError) as exc:
        raise PoSyntaxError(f"{path}:{lineno}: bad string {token!r}: {exc}") from None


def parse_po(path: Path) -> tuple[Entry | None, dict[Key, Entry]]:
    """Return (header entry, {(msgctxt, msgid): entry}); obsolete ``#~`` entries are skipped."""
    header: Entry | None = None
    entries: dict[Key, Entry] = {}
    current = Entry()
    started = False  # current has seen a keyword line
    target: tuple[str, int | None] | None = None  # field receiving continuation lines

    def finish() -> None:
        """Store the entry being read (if any) and start a fresh one; comment-only blocks vanish."""
        nonlocal header, current, started, target
        if started:
            if current.msgid == "" and current.msgctxt is None:
                header = current
            else:
                if current.key in entries:
                    raise PoSyntaxError(f"{path}:{current.line}: duplicate message {current.label()}")
                entries[current.key] = current
        current, started, target = Entry(), False, None

    def append(text: str) -> None:
        name, index = target
        if name == "msgstr":
            current.msgstr[index] += text
        else:
            setattr(current, name, (getattr(current, name) or "") + text)

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if started:
                finish()  # a comment after keywords starts the next entry
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue  # translator, extracted, reference, previous (#|) and obsolete (#~) lines
        if line.startswith('"'):
            if target is None:
                raise PoSyntaxError(f"{path}:{lineno}: string continuation outside an entry")
            append(_unquote(line, path, lineno))
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest, path, lineno)
        # Entries separated by a comment or blank line are the norm; this also splits adjacent ones.
        if started and (keyword == "msgctxt" or (keyword == "msgid" and target != ("msgctxt", None))):
            finish()
        if not started:
            current.line = lineno
            started = True
        if keyword == "msgctxt":
            current.msgctxt, target = value, ("msgctxt", None)
        elif keyword == "msgid":
            current.msgid, target = value, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = value, ("msgid_plural", None)
        elif keyword == "msgstr":
            current.msgstr[0], target = value, ("msgstr", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]") and keyword[7:-1].isdigit():
            index = int(keyword[7:-1])
            current.msgstr[index], target = value, ("msgstr", index)
        else:
            raise PoSyntaxError(f"{path}:{lineno}: unknown keyword {keyword!r}")
    finish()
    return header, entries


def extract() -> tuple[Entry | None, dict[Key, Entry]]:
    """Run makemessages, parse what it wrote, and restore the committed .po exactly."""
    existed = PO_FILE.exists()
    with tempfile.TemporaryDirectory(prefix="kc-catalogue-") as tmp:
        backup = Path(tmp) / "django.po"
        if existed:
            shutil.copy2(PO_FILE, backup)
        try:
            command = [
                sys.executable,
                str(MANAGE_PY),
                "makemessages",
                "-l",
                LANGUAGE,
                "--no-obsolete",
                "--no-location",
                "--ignore",
                "static/*",
            ]
            proc = subprocess.run(command, cwd=APP_DIR, capture_output=True, text=True)
            if proc.returncode != 0 or not PO_FILE.exists():
                sys.stderr.write(proc.stdout + proc.stderr)
                raise RuntimeError(f"makemessages failed (exit status {proc.returncode})")
            return parse_po(PO_FILE)
        finally:
            if existed:
                shutil.copyfile(backup, PO_FILE)
                shutil.copystat(backup, PO_FILE)
            else:
                PO_FILE.unlink(missing_ok=True)


def check(fresh: dict[Key, Entry], committed: dict[Key, Entry], header: Entry | None) -> list[str]:
    problems: list[str] = []
    if header is None:
        problems.append("header: missing")
    elif header.fuzzy:
        problems.append("header: marked fuzzy (remove '#, fuzzy' above msgid \"\")")
    for key, new in fresh.items():
        old = committed.get(key)
        if old is None:
            problems.append(f"missing: {new.label()}")
        elif (old.msgid_plural or None) != (new.msgid_plural or None):
            problems.append(f"plural changed: {new.label()} now has msgid_plural {new.msgid_plural!r}")
        elif not old.translated:
            problems.append(f"untranslated: {new.label()} (line {old.line})")
        elif old.fuzzy:
            problems.append(f"fuzzy: {new.label()} (line {old.line})")
        elif any(unicodedata.normalize("NFC", s) != s for s in old.msgstr.values()):
            problems.append(f"not NFC: {new.label()} (line {old.line})")
    return problems


def compile_mo() -> list[str]:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return ["msgfmt: not found (install gettext)"]
    proc = subprocess.run([msgfmt, "--check-format", "-o", str(MO_FILE), str(PO_FILE)], capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        return [f"msgfmt failed (exit status {proc.returncode}):\n{detail}"]
    return []


# --- Source lint: text the extractor cannot see -------------------------------------------------

TRANSLATION_MODULE = "django.utils.translation"
SINGULAR = {"gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
TRANSLATORS = SINGULAR | {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
LABEL_KEYWORDS = {"verbose_name", "verbose_name_plural", "label", "help_text", "empty_label"}
# Field constructors whose first positional argument is a model, not a verbose name.
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_text(node: ast.AST | None) -> bool:
    """A literal a person would read: a string with at least one letter."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_LETTERS.search(node.value))


def lint_python(path: Path, source: str) -> list[str]:
    """Problems in one Python module; ``path`` is only used in the messages."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return [f"{path}:{exc.lineno}: cannot parse: {exc.msg}"]
    problems: list[str] = []
    module_aliases: set[str] = set()  # names bound to django.utils.translation itself

    def report(node: ast.AST, text: str) -> None:
        problems.append(f"{path}:{node.lineno}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == TRANSLATION_MODULE:
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name in TRANSLATORS and bound != alias.name and not (bound == "_" and alias.name in SINGULAR):
                    report(node, f"{alias.name} imported as {bound!r}; makemessages only sees `_` and the real names")
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            module_aliases.update(a.asname or a.name for a in node.names if a.name == "translation")
        elif isinstance(node, ast.Import):
            module_aliases.update(a.asname for a in node.names if a.name == TRANSLATION_MODULE and a.asname)
        elif (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Name | ast.Attribute)
            and _call_name(node.value) in TRANSLATORS | {"_"}
        ):
            report(node, f"alias of {_call_name(node.value)}; call `_` or {_call_name(node.value)} directly")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in TRANSLATORS
                and isinstance(func.value, ast.Name)
                and func.value.id in module_aliases
            ):
                report(node, f"{func.value.id}.{func.attr}(...) is not extracted; import {func.attr} by name")
            for keyword in node.keywords:
                if keyword.arg in LABEL_KEYWORDS and _is_text(keyword.value):
                    report(keyword.value, f"{keyword.arg}={keyword.value.value!r} is not marked for translation")
            name = _call_name(func)
            if name.endswith("Field") and name not in RELATION_FIELDS and node.args and _is_text(node.args[0]):
                report(node.args[0], f"verbose name {node.args[0].value!r} is not marked for translation")
        elif isinstance(node, ast.ClassDef) and any(_call_name(base) in CHOICES_BASES for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    label = statement.value.elts[-1] if len(statement.value.elts) > 1 else None
                    if _is_text(label):
                        report(label, f"choice label {label.value!r} is not marked for translation")
    return problems


_TEMPLATE_SKIP = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{#.*?#}|{%.*?%}|{{.*?}}"
    r"|<script\b.*?</script>|<style\b.*?</style>",
    re.DOTALL,
)
_TEMPLATE_ATTRIBUTE = re.compile(r"""\b(placeholder|title|aria-label|alt)\s*=\s*(["'])(.*?)\2""", re.DOTALL)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
# Words that read the same in Vietnamese screens: product names, formats, the brand.
TEMPLATE_WORDS = {"api", "csv", "excel", "email", "xlsx", "openapi", "swagger", "id", "khuyến", "công"}
_ENGLISH_WORD = re.compile(r"\b[A-Za-z]{2,}\b")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")


def _english(text: str) -> bool:
    """True for text made of plain ASCII words that are not on the shared list."""
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    if _NON_ASCII_LETTER.search(text.replace("·", "").replace("–", "").replace("—", "").replace("…", "")):
        return False
    return any(word.lower() not in TEMPLATE_WORDS for word in _ENGLISH_WORD.findall(text))


def lint_template(path: Path, source: str) -> list[str]:
    problems: list[str] = []
    stripped = _TEMPLATE_SKIP.sub(lambda m: "\x00" + "\n" * m.group(0).count("\n"), source)
    for match in _TEMPLATE_ATTRIBUTE.finditer(stripped):
        if _english(match.group(3)):
            line = stripped.count("\n", 0, match.start()) + 1
            problems.append(f"{path}:{line}: {match.group(1)}={match.group(3)!r} is not translated")
    # Text between two tags (or two template tags) is one piece a reader sees.
    pieces = _TAG.sub(lambda m: "\x00" + "\n" * m.group(0).count("\n"), stripped)
    for lineno, line in enumerate(pieces.splitlines(), start=1):
        for piece in line.split("\x00"):
            if piece.strip() and _english(piece):
                problems.append(f"{path}:{lineno}: text {piece.strip()!r} is not translated")
    return problems


def lint_sources(app_dir: Path = APP_DIR) -> list[str]:
    """Every module and template of the package, migrations and vendored static files aside."""
    problems: list[str] = []
    for path in sorted(app_dir.rglob("*.py")):
        if "migrations" not in path.parts:
            problems += lint_python(path.relative_to(app_dir.parent), path.read_text(encoding="utf-8"))
    for path in sorted(app_dir.rglob("*.html")):
        if "static" not in path.parts:
            problems += lint_template(path.relative_to(app_dir.parent), path.read_text(encoding="utf-8"))
    return problems


def main() -> int:
    if not PO_FILE.exists():
        print(f"{PO_FILE.relative_to(ROOT)} does not exist; run `make messages` first.", file=sys.stderr)
        return 1
    try:
        header, committed = parse_po(PO_FILE)
        _, fresh = extract()
    except (PoSyntaxError, RuntimeError, UnicodeDecodeError) as exc:
        print(f"catalogue check failed: {exc}", file=sys.stderr)
        return 1
    problems = check(fresh, committed, header)
    problems += lint_sources()
    problems += compile_mo()
    stale = len(set(committed) - set(fresh))
    if problems:
        print(f"{PO_FILE.relative_to(ROOT)}: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print("Run `make messages`, translate, and run this script again.", file=sys.stderr)
        return 1
    note = f"; {stale} unused entr{'y' if stale == 1 else 'ies'} (dropped by `make messages`)" if stale else ""
    print(f"{LANGUAGE} catalogue: {len(fresh)} messages, all translated; compiled {MO_FILE.relative_to(ROOT)}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
