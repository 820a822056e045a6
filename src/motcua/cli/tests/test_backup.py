"""``motcua backup DIR`` / ``motcua restore DIR``: the restore drill on SQLite and on PostgreSQL.

Dossiers moved through the lifecycle (events, audit chain) and stored files are backed up, restored into a
new empty database and storage, and compared: the row count of every table, every dossier's events, every
file's bytes, the audit chain. Restore refuses a non-empty database and a tampered backup (exit code 2).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend

from motcua.audit.selectors import audit_verify
from motcua.core import clock
from motcua.core.backup import BackupInvalid, RestoreRefused, backup_create, backup_restore, storage_names
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.tests.conftest import MONDAY_10, World, world
from motcua.dossiers.tests.factories import dossier_in

__all__ = ["world"]

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS_SQL = {
    "postgresql": (
        "SELECT d.code, e.action, e.from_status, e.to_status, (e.at AT TIME ZONE 'UTC')::text, e.actor_id, "
        "e.note, e.data::text FROM dossiers_dossierevent e JOIN dossiers_dossier d ON d.id = e.dossier_id "
        "ORDER BY d.code, e.id"
    ),
    "sqlite": (
        "SELECT d.code, e.action, e.from_status, e.to_status, CAST(e.at AS TEXT), e.actor_id, e.note, e.data "
        "FROM dossiers_dossierevent e JOIN dossiers_dossier d ON d.id = e.dossier_id ORDER BY d.code, e.id"
    ),
}


@pytest.fixture
def media(tmp_path: Path, settings: LazySettings) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def make_data(world: World) -> dict[str, bytes]:
    """Three dossiers with their events and audit entries, and stored files (one with a Vietnamese name)."""
    with clock.frozen(MONDAY_10):
        for _ in range(3):
            dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
            dossier = dossier_transition(
                dossier=dossier, action=Action.RECEIVE, actor=world.officer_a, note="Đủ"
            )
            dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    files = {
        "uploads/2025/03/a.pdf": b"%PDF-1.4 first",
        "uploads/2025/03/b.png": bytes(range(256)) * 40,
        "results/Kết quả số 1.pdf": b"%PDF-1.4 result",
    }
    for name, data in files.items():
        assert default_storage.save(name, ContentFile(data)) == name
    return files


def table_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the introspection)
        counts[table] = cursor.fetchone()[0]
    return counts


def source_state() -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        counts = table_counts(cursor, tables)
        cursor.execute(EVENTS_SQL[connection.vendor])
        events = [tuple(row) for row in cursor.fetchall()]
    return counts, events


@pytest.fixture
def restored_alias() -> Iterator[Any]:
    """A connection ``restored`` to the given settings, made by hand (Django's test case allows such
    connections, unlike a new alias in the settings); closed and removed afterwards."""
    made: list[Any] = []

    def register(settings: dict[str, Any]) -> str:
        wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "restored")
        connections["restored"] = wrapper
        made.append(wrapper)
        return "restored"

    yield register
    for wrapper in made:
        wrapper.close()
        del connections["restored"]


def run(command: str, *args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(command, *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_restore_drill_on_sqlite(world: World, media: Path, tmp_path: Path, restored_alias: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill")
    files = make_data(world)
    code, out = run("backup", str(tmp_path / "backup"))
    assert code == 0, out
    assert "3 tệp" in out
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite"
    assert {f["name"] for f in manifest["files"]} == set(files)

    target = tmp_path / "restored.sqlite3"
    storage = FileSystemStorage(location=tmp_path / "media-restored")
    settings = {**connection.settings_dict, "NAME": str(target)}
    summary = backup_restore(directory=tmp_path / "backup", database=settings, storage=storage)
    assert summary.files == 3

    counts, events = source_state()
    assert len(events) == 6
    restored = sqlite3.connect(target)
    try:
        assert table_counts(restored.cursor(), list(counts)) == counts
        assert [tuple(row) for row in restored.execute(EVENTS_SQL["sqlite"]).fetchall()] == events
    finally:
        restored.close()
    assert {name: storage.open(name).read() for name in storage_names(storage)} == files
    assert audit_verify(using=restored_alias(settings)).entries == counts["audit_auditentry"] > 0
    assert audit_verify(using="restored").ok


def test_restore_refuses_a_database_with_tables_and_a_tampered_backup(
    world: World, media: Path, tmp_path: Path
) -> None:
    make_data(world)
    backup = tmp_path / "backup"
    backup_create(directory=backup)
    # the database of the suite has tables: refused, nothing written
    code, message = run("restore", str(backup))
    assert code == 2
    assert "không trống" in message
    empty = FileSystemStorage(location=tmp_path / "empty")
    with pytest.raises(RestoreRefused):
        backup_restore(directory=backup, storage=empty)
    assert list(storage_names(empty)) == []
    # a backup directory that already holds something is refused
    assert run("backup", str(backup))[0] == 2

    (backup / "files" / "uploads" / "2025" / "03" / "a.pdf").write_bytes(b"%PDF-1.4 forged")
    (backup / "files" / "extra.txt").write_text("x")
    code, message = run("restore", str(backup))
    assert code == 2
    assert "không toàn vẹn (2 lỗi)" in message
    assert "tệp files/uploads/2025/03/a.pdf đã bị thay đổi" in message
    assert "tệp files/extra.txt không có trong bảng kê" in message
    (backup / DUMP_NAME[connection.vendor]).unlink()
    with pytest.raises(BackupInvalid, match="thiếu tệp"):
        backup_restore(directory=backup, storage=empty)


DUMP_NAME = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


@pytest.mark.postgres
def test_restore_drill_on_postgresql(world: World, media: Path, tmp_path: Path, restored_alias: Any) -> None:
    """pg_dump of the test database, pg_restore into a second database created here (motcua_h11_restore)."""
    import psycopg

    assert connection.vendor == "postgresql"
    files = make_data(world)
    code, out = run("backup", str(tmp_path / "backup"))
    assert code == 0, out

    name = f"{connection.settings_dict['NAME']}_restore"
    settings = {**connection.settings_dict, "NAME": name}
    admin: dict[str, Any] = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        storage = FileSystemStorage(location=tmp_path / "media-restored")
        summary = backup_restore(directory=tmp_path / "backup", database=settings, storage=storage)
        assert summary.engine == "postgresql"
        counts, events = source_state()
        assert len(events) == 6
        with psycopg.connect(dbname=name, **admin) as restored:
            assert table_counts(restored.cursor(), list(counts)) == counts
            assert [tuple(row) for row in restored.execute(EVENTS_SQL["postgresql"]).fetchall()] == events
        assert {n: storage.open(n).read() for n in storage_names(storage)} == files
        alias = restored_alias(settings)
        result = audit_verify(using=alias)
        assert result.ok
        assert result.entries == counts["audit_auditentry"] > 0
        # a second restore into the now full database is refused
        with pytest.raises(RestoreRefused, match="không trống"):
            backup_restore(
                directory=tmp_path / "backup", database=settings, storage=FileSystemStorage(tmp_path)
            )
        connections[alias].close()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
