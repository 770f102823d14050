"""Where attached files live: ``KC_FILES_DIR`` (under ``MEDIA_ROOT`` by default, so backups carry
it), never under the static root and never served by the web server.

A file is written to a temporary name in its final folder, flushed to disk, then renamed into
place: a reader never sees half a file. Names are made here (``2026/11/<uuid>.pdf``); the uploader's
file name is only kept in the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    path: str  # relative to the root, with forward slashes
    size: int
    sha256: str


def root() -> Path:
    return Path(settings.KC_FILES_DIR)


def full_path(relative: str) -> Path:
    """The absolute path of a stored file; refuses a name that would leave the root."""
    base = root().resolve()
    target = (base / relative).resolve()
    if base not in target.parents:
        raise ValueError(f"not a stored file name: {relative!r}")
    return target


def _chunks(upload: Any) -> Iterator[bytes]:
    if hasattr(upload, "chunks"):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            upload.seek(0)
        yield from upload.chunks(CHUNK)
        return
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        yield chunk


def store(upload: Any, extension: str, check: Any = None) -> Stored:
    """Copy ``upload`` (a Django ``File`` or a binary file object) under a new name. ``check``, if
    given, is called with the written temporary file (opened for reading) before it is named; it
    may raise to refuse the file, and then nothing is left behind."""
    now = timezone.now()
    relative = f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"
    target = full_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "w+b") as out:
            for chunk in _chunks(upload):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
            if check is not None:
                out.seek(0)
                check(out)
        os.chmod(temporary, 0o640)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return Stored(relative, size, digest.hexdigest())


def open_file(relative: str) -> IO[bytes]:
    return full_path(relative).open("rb")


def delete(relative: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        full_path(relative).unlink()


def orphans(*, older_than: dt.timedelta, known: Callable[[list[str]], set[str]]) -> Iterator[str]:
    """Stored files no row names (``known(paths)`` returns those that rows do name), last written
    more than ``older_than`` ago: an upload whose caller's transaction rolled back after the file
    was written. Recent files are left alone, their row may not be committed yet."""
    base = root()
    if not base.is_dir():
        return
    cutoff = (timezone.now() - older_than).timestamp()
    batch: list[str] = []

    def flush() -> Iterator[str]:
        named = known(batch)
        yield from (path for path in batch if path not in named)
        batch.clear()

    for directory, _dirs, names in os.walk(base):
        for name in sorted(names):
            path = Path(directory) / name
            if name.startswith(".upload-") or not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            batch.append(path.relative_to(base).as_posix())
            if len(batch) >= 500:
                yield from flush()
    if batch:
        yield from flush()
