"""Backup and restore: the database and the files (uploads, exports, error workbooks) in one archive.

An archive is a gzip-compressed tar file::

    manifest.json             format, app version, database vendor, applied migrations, row counts,
                              and the size and SHA-256 of every other member
    database/db.sqlite3       SQLite: a copy made with SQLite's online backup API
    database/db.dump          PostgreSQL: ``pg_dump --format=custom`` of one exported snapshot
    media/<path>              every file under ``MEDIA_ROOT``

Consistency while the server runs (docs/adr/0005-backup-and-restore.md): the database copy is one
point in time (SQLite's backup API copies a consistent read snapshot; on PostgreSQL a REPEATABLE READ
transaction exports its snapshot and ``pg_dump --snapshot`` dumps exactly that, while the same
transaction reads the migration state and the row counts for the manifest). The files are copied
*after* the snapshot: every file is written before the row that names it is committed, so each file
the copied database references is there (a file added later is an unreferenced extra). Each file is
read once into a spool while it is hashed, so a file being written cannot tear the archive.

Restore verifies the whole archive before touching anything (every member's checksum, the format,
the database vendor, migrations this code knows), refuses a target that holds data unless
``force`` is given, then restores the database and swaps the media directory in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

FORMAT = "khuyencong-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/db.sqlite3"
PG_MEMBER = "database/db.dump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 16 * CHUNK

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Manifest:
    app_version: str
    vendor: str
    created_at: str
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    server_version: str = ""
    format: str = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise BackupError(f"The archive's manifest is not valid JSON: {exc}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise BackupError(f"Not a khuyencong backup of a known format (expected {FORMAT}, found {found!r}).")
        try:
            return cls(**raw)
        except TypeError as exc:
            raise BackupError(f"The archive's manifest is incomplete: {exc}") from None


Using = str | BaseDatabaseWrapper  # a DATABASES alias, or a connection made for the occasion


def _conn(using: Using) -> BaseDatabaseWrapper:
    return connections[using] if isinstance(using, str) else using


def app_version() -> str:
    try:
        return metadata.version("khuyencong")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


# --- creating an archive -----------------------------------------------------------------------


class _Archive:
    """A tar.gz being written: each member's size and SHA-256 are recorded for the manifest."""

    def __init__(self, path: Path):
        self.tar = tarfile.open(path, "w:gz", compresslevel=1)  # noqa: SIM115 (closed in finish)
        self.files: dict[str, dict[str, Any]] = {}

    def add_stream(self, name: str, source: io.BufferedIOBase | Any, mtime: float | None = None) -> None:
        digest = hashlib.sha256()
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            size = 0
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            spool.seek(0)
            info = tarfile.TarInfo(name)
            info.size, info.mode = size, 0o644
            info.mtime = int(mtime if mtime is not None else dt.datetime.now().timestamp())
            self.tar.addfile(info, spool)
        self.files[name] = {"size": size, "sha256": digest.hexdigest()}

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add_stream(name, io.BytesIO(data))

    def finish(self, manifest: Manifest) -> None:
        manifest.files = dict(sorted(self.files.items()))
        data = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o644, int(dt.datetime.now().timestamp())
        self.tar.addfile(info, io.BytesIO(data))
        self.tar.close()


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, _dirs, names in os.walk(root):
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _add_media(archive: _Archive, root: Path, log: Log) -> int:
    count = 0
    for path in _media_files(root):
        relative = path.relative_to(root).as_posix()
        try:
            with path.open("rb") as fh:
                archive.add_stream(MEDIA_PREFIX + relative, fh, path.stat().st_mtime)
        except FileNotFoundError:  # deleted (expired) between listing and reading: not in the copy
            continue
        count += 1
    log(f"files: {count} from {root}")
    return count


def _migrations_from(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _sqlite_state(db: sqlite3.Connection) -> tuple[dict[str, list[str]], dict[str, int]]:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608
    rows = db.execute("SELECT app, name FROM django_migrations").fetchall() if "django_migrations" in tables else []
    return _migrations_from(rows), counts


def _backup_sqlite(archive: _Archive, using: Using, workdir: Path, log: Log) -> Manifest:
    conn = _conn(using)
    conn.ensure_connection()
    copy_path = workdir / "db.sqlite3"
    copy = sqlite3.connect(copy_path)
    try:
        # One step (pages=-1): the whole database is copied under one read snapshot; writers in
        # other connections go on meanwhile (WAL), their later commits are simply not in the copy.
        conn.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        migrations, counts = _sqlite_state(copy)
    finally:
        copy.close()
    with copy_path.open("rb") as fh:
        archive.add_stream(SQLITE_MEMBER, fh)
    log(f"database: SQLite, {sum(counts.values())} rows in {len(counts)} tables")
    return Manifest(
        app_version=app_version(),
        vendor="sqlite",
        created_at=dt.datetime.now(dt.UTC).isoformat(),
        migrations=migrations,
        counts=counts,
        server_version=sqlite3.sqlite_version,
    )


def pg_command_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore from a DATABASES entry."""
    args = ["--dbname", str(settings_dict["NAME"])]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _require_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client (postgresql-client).")
    return found


def _backup_postgresql(archive: _Archive, using: Using, workdir: Path, log: Log) -> Manifest:
    pg_dump = _require_tool("pg_dump")
    conn = _conn(using)
    # A separate connection holds the snapshot open while pg_dump reads it.
    snapshot_conn = conn.get_new_connection(conn.get_connection_params())
    try:
        snapshot_conn.autocommit = False
        with snapshot_conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
            tables = [name for (name,) in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
                counts[table] = cursor.fetchone()[0]
            rows = []
            if "django_migrations" in tables:
                cursor.execute("SELECT app, name FROM django_migrations")
                rows = cursor.fetchall()
            dump_path = workdir / "db.dump"
            args, env = pg_command_env(conn.settings_dict)
            result = subprocess.run(
                [pg_dump, *args, "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", "--file", str(dump_path)],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        snapshot_conn.rollback()
    finally:
        snapshot_conn.close()
    with dump_path.open("rb") as fh:
        archive.add_stream(PG_MEMBER, fh)
    log(f"database: PostgreSQL {server_version}, {sum(counts.values())} rows in {len(counts)} tables")
    return Manifest(
        app_version=app_version(),
        vendor="postgresql",
        created_at=dt.datetime.now(dt.UTC).isoformat(),
        migrations=_migrations_from(rows),
        counts=counts,
        server_version=server_version,
    )


def create_backup(
    output: Path, *, using: Using = "default", media_root: Path | None = None, log: Log = print
) -> Manifest:
    """Write an archive of database ``using`` and ``media_root`` (default ``MEDIA_ROOT``) to ``output``."""
    output = Path(output)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = _conn(using).vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".kc-backup-") as work:
            archive = _Archive(partial)
            try:
                backup = _backup_sqlite if vendor == "sqlite" else _backup_postgresql
                manifest = backup(archive, using, Path(work), log)
                _add_media(archive, media_root, log)
                archive.finish(manifest)
            except BaseException:
                archive.tar.close()
                raise
        os.replace(partial, output)  # only a complete archive ever carries the name asked for
    finally:
        partial.unlink(missing_ok=True)
    log(f"backup written: {output} ({output.stat().st_size:,} bytes)")
    return manifest


# --- verifying and restoring -------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name == MANIFEST or name in {SQLITE_MEMBER, PG_MEMBER} or name.startswith(MEDIA_PREFIX))
    )


def extract_and_verify(archive: Path, into: Path) -> Manifest:
    """Unpack ``archive`` into ``into`` and check it against its manifest; raises :class:`BackupError`."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            unsafe = [m.name for m in members if not (m.isfile() and _safe_member(m.name))]
            if unsafe:
                raise BackupError(f"The archive holds unexpected entries: {', '.join(unsafe[:5])}")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"The archive cannot be read (damaged or not a backup): {exc}") from None
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("The archive has no manifest.json: not a khuyencong backup.")
    manifest = Manifest.from_json(manifest_path.read_bytes())
    present = {m.name for m in members} - {MANIFEST}
    missing = sorted(set(manifest.files) - present)
    extra = sorted(present - set(manifest.files))
    if missing or extra:
        raise BackupError(f"The archive does not match its manifest (missing {missing[:5]}, unlisted {extra[:5]}).")
    for name, expected in manifest.files.items():
        digest = hashlib.sha256()
        with (into / name).open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != expected.get("sha256"):
            raise BackupError(f"Checksum mismatch for {name}: the archive is damaged.")
    database_member = SQLITE_MEMBER if manifest.vendor == "sqlite" else PG_MEMBER
    if database_member not in manifest.files:
        raise BackupError(f"The archive has no database copy ({database_member}).")
    return manifest


def migration_gaps(manifest: Manifest) -> tuple[list[str], list[str]]:
    """(migrations in the archive this code does not have, migrations of this code the archive lacks)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = {f"{app}.{name}" for app, name in loader.disk_migrations}
    in_archive = {f"{app}.{name}" for app, names in manifest.migrations.items() for name in names}
    ours = {app for app, _name in loader.disk_migrations}
    unknown = sorted(name for name in in_archive - on_disk if name.split(".", 1)[0] in ours)
    return unknown, sorted(on_disk - in_archive)


def database_has_tables(using: Using = "default") -> bool:
    conn = _conn(using)
    if conn.vendor == "sqlite":
        name = str(conn.settings_dict["NAME"])
        if not Path(name).exists():
            return False
    with conn.cursor() as cursor:
        return bool(conn.introspection.table_names(cursor))


def _media_has_files(root: Path) -> bool:
    return next(_media_files(root), None) is not None


def _restore_sqlite(source: Path, using: Using) -> None:
    conn = _conn(using)
    target = Path(str(conn.settings_dict["NAME"]))
    if not target.name or str(target).startswith(":memory:") or "mode=memory" in str(target):
        raise BackupError("Restore needs a file database (DATABASE_URL=sqlite:////path/to/db.sqlite3).")
    conn.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, staged)
    check = sqlite3.connect(staged)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The database copy in the archive fails SQLite's integrity check.")
    finally:
        check.close()
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def _restore_postgresql(source: Path, using: Using, force: bool) -> None:
    pg_restore = _require_tool("pg_restore")
    conn = _conn(using)
    if force:
        with conn.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    conn.close()
    args, env = pg_command_env(conn.settings_dict)
    result = subprocess.run(
        [pg_restore, *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(source)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def table_counts(using: Using = "default") -> dict[str, int]:
    conn = _conn(using)
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def count_differences(manifest: Manifest, using: Using = "default") -> list[str]:
    """Tables whose row count after a restore differs from the one recorded at backup."""
    now = table_counts(using)
    return [
        f"{table}: {expected} in the archive, {now.get(table)} restored"
        for table, expected in sorted(manifest.counts.items())
        if now.get(table) != expected
    ]


def _restore_media(extracted: Path, media_root: Path) -> Path | None:
    """Swap the archive's files in for ``media_root``; the previous directory is kept aside."""
    incoming = extracted / MEDIA_PREFIX.rstrip("/")
    incoming.mkdir(exist_ok=True)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.move(str(incoming), str(staged))
    kept = None
    if media_root.exists():
        kept = media_root.with_name(f"{media_root.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
        os.replace(media_root, kept)
    os.replace(staged, media_root)
    return kept


def restore_backup(
    archive: Path,
    *,
    using: Using = "default",
    media_root: Path | None = None,
    force: bool = False,
    log: Log = print,
) -> Manifest:
    """Restore ``archive`` into database ``using`` and ``media_root``. Nothing is changed unless the
    archive verifies; a target with data is refused unless ``force``."""
    archive = Path(archive)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not archive.is_file():
        raise BackupError(f"No such archive: {archive}")
    vendor = _conn(using).vendor
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".kc-restore-") as work:
        extracted = Path(work)
        manifest = extract_and_verify(archive, extracted)
        log(
            f"archive verified: {len(manifest.files)} members, app {manifest.app_version}, "
            f"{manifest.vendor}, made {manifest.created_at}"
        )
        if manifest.vendor != vendor:
            raise BackupError(
                f"The archive holds a {manifest.vendor} database; this installation uses {vendor}. "
                "Restore it into a database of the same kind."
            )
        unknown, missing = migration_gaps(manifest)
        if unknown:
            raise BackupError(
                "The archive comes from a newer version (migrations this code does not have: "
                f"{', '.join(unknown[:5])}). Upgrade the application first."
            )
        if not force and (database_has_tables(using) or _media_has_files(media_root)):
            raise BackupError(
                "The target database or media directory is not empty; restoring would overwrite it. "
                "Use --force to replace it (the current media directory is kept aside)."
            )
        if manifest.app_version != app_version():
            log(f"note: the archive was made by version {manifest.app_version}, this is {app_version()}")
        if vendor == "sqlite":
            _restore_sqlite(extracted / SQLITE_MEMBER, using)
        else:
            _restore_postgresql(extracted / PG_MEMBER, using, force)
        kept = _restore_media(extracted, media_root)
    differ = count_differences(manifest, using)
    if differ:
        raise BackupError(f"The restored database does not hold what the archive recorded: {differ[:5]}")
    log(f"database restored ({sum(manifest.counts.values())} rows); files restored into {media_root}")
    if kept is not None:
        log(f"the previous media directory was kept as {kept}")
    if missing:
        log(f"{len(missing)} migration(s) of this version are newer than the archive: run `khuyencong migrate`.")
    return manifest
