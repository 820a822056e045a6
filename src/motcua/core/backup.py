"""Backups: a consistent database dump, the stored files and a manifest with SHA-256 checksums; restore.

A backup directory holds ``manifest.json``, the database (``database.dump``: ``pg_dump --format=custom``, one
snapshot; or ``database.sqlite3``: SQLite's online backup API) and ``files/<name>`` for every file of the
default storage (uploads, generated results). The database is dumped first, the files copied after: a file
written after the snapshot may be in the backup without a row pointing at it, never the other way round
(except for a file deleted in between, e.g. by ``purge-drafts``). Restore checks every checksum first,
refuses a database that has any table and a storage that already holds one of the files, then restores.
docs/operations.md says when to run them and how long to keep the backups.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from . import clock
from .errors import DomainError

MANIFEST = "manifest.json"
FORMAT = 1
FILES_DIR = "files"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20


class BackupFailed(DomainError):
    code = "backup_failed"


class BackupInvalid(DomainError):
    """The backup directory does not match its manifest (missing, changed or extra files)."""

    code = "backup_invalid"


class RestoreRefused(DomainError):
    """The target is not empty, or of another engine."""

    code = "restore_refused"


@dataclass(frozen=True)
class BackupSummary:
    directory: Path
    engine: str
    database_bytes: int
    files: int
    files_bytes: int


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(settings: Mapping[str, Any]) -> str:
    engine = str(settings["ENGINE"])
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupFailed(f"Không hỗ trợ sao lưu cơ sở dữ liệu loại {engine}.")


def _pg_env(settings: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore / psycopg: the password never on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[var] = str(settings[key])
    env["PGDATABASE"] = str(settings["NAME"])
    options = settings.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(key):
            env[f"PG{key.upper()}"] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    executable = shutil.which(command[0])
    if executable is None:
        raise BackupFailed(f"Không tìm thấy chương trình {command[0]} (gói postgresql-client).")
    done = subprocess.run([executable, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupFailed(
            f"{what} thất bại ({command[0]} mã {done.returncode}): {done.stderr.strip()[:2000]}"
        )


def storage_names(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in ``storage`` (sorted, ``/``-separated), walking its directories."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    prefix = f"{directory}/" if directory else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(directories):
        yield from storage_names(storage, prefix + sub)


def _safe_relative(text: str) -> PurePosixPath:
    path = PurePosixPath(text)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        raise BackupInvalid(f"Bảng kê có đường dẫn không hợp lệ: {text!r}.")
    return path


def _applied_migrations(using: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def backup_create(
    *, directory: Path, using: str = "default", storage: Storage | None = None
) -> BackupSummary:
    """Write a backup of the database ``using`` and of ``storage`` (default: the default storage) to
    ``directory``, which must not exist or be empty."""
    storage = storage or default_storage
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupFailed(f"Thư mục sao lưu {directory} đã có dữ liệu: hãy chọn một thư mục mới hoặc trống.")
    directory.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    engine = _engine(connection.settings_dict)
    created_at = clock.now()
    migrations = _applied_migrations(using)
    dump = directory / DUMP[engine]
    if engine == "postgresql":
        env = _pg_env(connection.settings_dict)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"], env, "pg_dump"
        )
    else:
        connection.ensure_connection()
        target = sqlite3.connect(dump)
        try:
            connection.connection.backup(target)  # one consistent copy, also of an in-memory database
        finally:
            target.close()
    files = []
    for name in storage_names(storage):
        relative = _safe_relative(f"{FILES_DIR}/{name}")
        destination = directory / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with storage.open(name, "rb") as source, destination.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files.append({"name": name, "path": str(relative), "sha256": digest.hexdigest(), "bytes": size})
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "engine": engine,
        "migrations": migrations,
        "database": {"path": dump.name, "sha256": _sha256_file(dump), "bytes": dump.stat().st_size},
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupSummary(
        directory=directory,
        engine=engine,
        database_bytes=manifest["database"]["bytes"],  # type: ignore[index]
        files=len(files),
        files_bytes=sum(int(f["bytes"]) for f in files),  # type: ignore[call-overload]
    )


def backup_verify(*, directory: Path) -> dict[str, Any]:
    """The manifest of the backup in ``directory`` once every file matches its size and SHA-256 and no file
    is there that the manifest does not list; ``BackupInvalid`` listing every problem otherwise."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        entries = [manifest["database"], *manifest["files"]]
        engine = manifest["engine"]
        if manifest.get("format") != FORMAT or engine not in DUMP:
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupInvalid(f"{directory}: không đọc được bảng kê {MANIFEST} của bản sao lưu.") from None
    problems = []
    listed = {MANIFEST}
    for entry in entries:
        relative = _safe_relative(str(entry.get("path", "")))
        listed.add(str(relative))
        path = directory / relative
        if not path.is_file():
            problems.append(f"thiếu tệp {relative}")
        elif path.stat().st_size != entry.get("bytes") or _sha256_file(path) != entry.get("sha256"):
            problems.append(f"tệp {relative} đã bị thay đổi (mã SHA-256 không khớp bảng kê)")
    extra = sorted(
        str(path.relative_to(directory).as_posix())
        for path in directory.rglob("*")
        if path.is_file() and path.relative_to(directory).as_posix() not in listed
    )
    problems += [f"tệp {name} không có trong bảng kê" for name in extra]
    if problems:
        raise BackupInvalid(
            f"Bản sao lưu {directory} không toàn vẹn ({len(problems)} lỗi): " + "; ".join(problems[:20]),
            details={"problems": problems},
        )
    return manifest


def _sqlite_connect(name: str) -> sqlite3.Connection:
    """A file path, or a ``file:`` URI (the test suite's in-memory database)."""
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _tables(settings: Mapping[str, Any], engine: str) -> list[str]:
    if engine == "postgresql":
        import psycopg

        env = _pg_env(settings)
        with psycopg.connect(
            host=env.get("PGHOST"),
            port=env.get("PGPORT"),
            user=env.get("PGUSER"),
            password=env.get("PGPASSWORD"),
            dbname=env["PGDATABASE"],
            sslmode=env.get("PGSSLMODE"),
        ) as conn:
            rows = conn.execute(
                "SELECT schemaname || '.' || tablename FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
        return sorted(row[0] for row in rows)
    name = str(settings["NAME"])
    if not name.startswith("file:") and (not Path(name).exists() or Path(name).stat().st_size == 0):
        return []
    target = _sqlite_connect(name)
    try:
        rows = target.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        target.close()
    return sorted(row[0] for row in rows)


@dataclass(frozen=True)
class RestoreSummary:
    engine: str
    tables: int
    files: int
    created_at: str
    migrations: dict[str, str]


def backup_restore(
    *,
    directory: Path,
    using: str = "default",
    database: Mapping[str, Any] | None = None,
    storage: Storage | None = None,
) -> RestoreSummary:
    """Restore the backup in ``directory`` into an empty database and storage, its checksums checked first.

    ``database`` (connection settings) defaults to those of ``using``; ``storage`` to the default storage.
    Nothing is written unless the backup is whole, of the same engine, the database has no table and the
    storage holds none of the backup's files.
    """
    directory = Path(directory)
    storage = storage or default_storage
    manifest = backup_verify(directory=directory)
    settings = database if database is not None else connections[using].settings_dict
    engine = _engine(settings)
    if manifest["engine"] != engine:
        raise RestoreRefused(
            f"Bản sao lưu của {manifest['engine']} chỉ khôi phục được vào {manifest['engine']}, "
            f"không vào {engine}."
        )
    tables = _tables(settings, engine)
    if tables:
        raise RestoreRefused(
            f"Cơ sở dữ liệu đích {settings['NAME']} không trống ({len(tables)} bảng, ví dụ {tables[0]}): "
            "chỉ khôi phục vào một cơ sở dữ liệu trống mới tạo."
        )
    present = [f["name"] for f in manifest["files"] if storage.exists(f["name"])]
    if present:
        raise RestoreRefused(
            f"Kho tệp đích đã có {len(present)} tệp của bản sao lưu (ví dụ {present[0]}): "
            "chỉ khôi phục vào một kho tệp trống."
        )
    dump = directory / manifest["database"]["path"]
    if database is None:
        connections[using].close()
    if engine == "postgresql":
        env = _pg_env(settings)
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={settings['NAME']}",
                str(dump),
            ],
            env,
            "pg_restore",
        )
    else:
        source, target = sqlite3.connect(dump), _sqlite_connect(str(settings["NAME"]))
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    for entry in manifest["files"]:
        with (directory / entry["path"]).open("rb") as handle:
            saved = storage.save(entry["name"], File(handle))
        if saved != entry["name"]:
            raise BackupFailed(f"Kho tệp lưu {entry['name']!r} dưới tên khác ({saved!r}).")
    return RestoreSummary(
        engine=engine,
        tables=len(_tables(settings, engine)),
        files=len(manifest["files"]),
        created_at=manifest["created_at"],
        migrations=manifest["migrations"],
    )
