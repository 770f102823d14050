"""Backup and restore round-trip on the database under test (SQLite and PostgreSQL): every table's
rows and every file come back identical; a damaged, foreign or newer archive and a target holding
data are refused before anything is changed; a backup taken while writes go on is one point in time."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connections, transaction

from khuyencong.jobs.models import Job
from khuyencong.jobs.services import attach_file
from khuyencong.kernel import backup
from khuyencong.kernel.backup import BackupError, create_backup, restore_backup
from tests.registry.factories import make_establishment, make_village

TARGET = "restored"


def quiet(_text: str) -> None:
    pass


@pytest.fixture
def target(tmp_path, monkeypatch):
    """A second, empty database of the same kind as the one under test, reachable as ``restored``."""
    default = connections["default"]
    default.ensure_connection()
    if default.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
    else:
        name = f"{default.settings_dict['NAME']}_restored"
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    # A connection made for the occasion and kept out of the handler (the test case guards those).
    connections.settings[TARGET] = {**default.settings_dict, "NAME": name}
    try:
        conn = connections.create_connection(TARGET)
    finally:
        del connections.settings[TARGET]
    yield conn
    conn.close()
    if default.vendor != "sqlite":
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def file_database(tmp_path, monkeypatch):
    """On SQLite, the in-memory test database moved to a WAL file, as deployed, so that another
    thread can write while the backup reads (the shared in-memory cache locks differently)."""
    memory = connections["default"]
    if memory.vendor != "sqlite":
        yield
        return
    memory.ensure_connection()
    path = tmp_path / "live.sqlite3"
    copy = sqlite3.connect(path)
    memory.connection.backup(copy)
    copy.close()
    monkeypatch.setitem(connections.settings, "default", {**memory.settings_dict, "NAME": str(path)})
    on_file = connections.create_connection("default")
    connections["default"] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections["default"] = memory


def rows(conn) -> dict[str, list[tuple]]:
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        found = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
            found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def some_data(hatinh_officer, media: Path) -> None:
    make_village()
    for i in range(5):
        make_establishment(name=f"Cơ sở sao lưu {i}", tax_code=None)
    job = Job.objects.create(kind="web.export", title="Xuất", owner=hatinh_officer, status=Job.Status.SUCCEEDED)
    attach_file(job, "co-so.csv", "Tên;Xã\nCơ sở sao lưu;Thạch Hà\n".encode())
    (media / "imports" / "2026").mkdir(parents=True)
    (media / "imports" / "2026" / "tai-len.xlsx").write_bytes(b"PK\x03\x04 not really a workbook" * 100)


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_row_and_every_file(settings, tmp_path, target, hatinh_officer):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    some_data(hatinh_officer, media)
    archive = tmp_path / "backups" / "kc.tar.gz"
    manifest = create_backup(archive, log=quiet)
    assert archive.is_file() and not list(archive.parent.glob("*.partial"))
    assert manifest.vendor == connections["default"].vendor
    assert manifest.counts["registry_establishment"] == 5 and manifest.migrations["registry"]
    assert manifest.files["media/imports/2026/tai-len.xlsx"]["size"] == 2600

    restored_media = tmp_path / "elsewhere" / "media"
    restore_backup(archive, using=target, media_root=restored_media, log=quiet)

    before, after = rows(connections["default"]), rows(target)
    assert set(after) == set(before)
    different = [table for table in before if before[table] != after[table]]
    assert not different, different
    assert files(restored_media) == files(media)
    assert len(files(media)) == 2


@pytest.mark.django_db(transaction=True)
def test_backup_while_writes_go_on_is_one_point_in_time(file_database, settings, tmp_path, target, hatinh_officer):
    """Each write adds an establishment and a job in one transaction: a consistent copy holds as many
    of the one as of the other, however the backup and the writes interleave."""
    settings.MEDIA_ROOT = tmp_path / "media"
    make_establishment(name="Cơ sở có trước")
    stop, failures, written = threading.Event(), [], []

    def write():
        try:
            while not stop.is_set():
                with transaction.atomic():
                    make_establishment(name=f"Cơ sở ghi song song {len(written)}")
                    Job.objects.create(kind="tests.pair", title=f"Cặp {len(written)}")
                written.append(1)
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        create_backup(tmp_path / "live.tar.gz", log=quiet)
        count_at_backup = len(written)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    restore_backup(tmp_path / "live.tar.gz", using=target, media_root=tmp_path / "restored-media", log=quiet)
    with target.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_establishment WHERE name LIKE %s", ["Cơ sở ghi song song%"])
        establishments = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM jobs_job WHERE kind = %s", ["tests.pair"])
        jobs = cursor.fetchone()[0]
    assert establishments == jobs and 5 <= jobs <= len(written), (establishments, jobs, count_at_backup)


def tamper(archive: Path, out: Path, change) -> Path:
    """Rewrite ``archive`` into ``out`` with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_before_changing_anything(settings, tmp_path, target, hatinh_officer):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    some_data(hatinh_officer, media)
    archive = create_backup(tmp_path / "kc.tar.gz", log=quiet) and tmp_path / "kc.tar.gz"
    restored_media = tmp_path / "restored-media"

    def refused(path: Path, **kwargs) -> str:
        with pytest.raises(BackupError) as caught:
            restore_backup(path, using=target, media_root=restored_media, log=quiet, **kwargs)
        assert not backup.database_has_tables(target) and not restored_media.exists()
        return str(caught.value)

    # The live database holds data: not without --force.
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(archive, media_root=media, log=quiet)
    assert "damaged" in refused(tamper(archive, tmp_path / "bad.tar.gz",
                                       lambda n, d: d[:-1] + b"!" if n.startswith("media/imports") else d))  # fmt: skip

    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["registry"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    assert "newer version" in refused(tamper(archive, tmp_path / "newer.tar.gz", newer))

    def foreign(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["vendor"] = "postgresql" if manifest["vendor"] == "sqlite" else "sqlite"
        return json.dumps(manifest).encode()

    assert "no database copy" in refused(tamper(archive, tmp_path / "foreign.tar.gz", foreign))
    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    assert "cannot be read" in refused(tmp_path / "junk.tar.gz")
    # And the good archive, with --force, replaces a target that holds data.
    restore_backup(archive, using=target, media_root=restored_media, log=quiet)
    restore_backup(archive, using=target, media_root=restored_media, force=True, log=quiet)
    assert rows(target)["registry_establishment"] == rows(connections["default"])["registry_establishment"]
    assert files(restored_media) == files(media)
