"""Backups of a running platform, and restoring one (docs/operations.md, "Backups").

A backup is a directory: the database (SQLite through its online backup API, so that it
can be taken while the server writes; PostgreSQL through pg_dump, which reads one
consistent snapshot), the audit trail's checkpoint file, the uploaded and produced files
(MEDIA_ROOT) and a manifest. The checkpoint file is copied before the database, so that
every checkpoint in the backup signs a trail the backed-up database holds; the files are
copied after it, so that every file a backed-up row names is there.

SECRET_KEY is not in a backup: the keys of the platform's CA are encrypted under it, and
a backup that held both would hand them to whoever holds the backup. Keep it apart.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from onestop.audit import checkpoints

DATABASE_SQLITE = "database.sqlite3"
DATABASE_DUMP = "database.dump"
AUDIT = "audit"
MEDIA = "media"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """The backup or the restore cannot be done; the message says what to do instead."""


def _engine(alias: str = "default") -> str:
    engine = settings.DATABASES[alias]["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"no backup procedure for the database engine {engine}")


def postgres_program(name: str) -> str | None:
    """pg_dump or pg_restore: on the PATH, else the newest of Debian's installed versions."""
    if found := shutil.which(name):
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return str(candidates[-1]) if candidates else None


def _run_postgres(program: str, *arguments: str, last: Path | None = None) -> None:
    """Runs pg_dump or pg_restore on the platform's database; raises BackupError naming
    what it said when it fails."""
    options, environment = _postgres_environment()
    done = subprocess.run(
        [program, *arguments, *options, *([str(last)] if last else [])],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        name = Path(program).name
        raise BackupError(f"{name} failed: {done.stderr.strip()}")


def _postgres_environment(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """The connection as pg_dump's options, the password in the environment (not on the
    command line, where `ps` shows it)."""
    db = settings.DATABASES[alias]
    options = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        options += ["--host", db["HOST"]]
    if db.get("PORT"):
        options += ["--port", str(db["PORT"])]
    if db.get("USER"):
        options += ["--username", db["USER"]]
    environment = dict(os.environ)
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = db["PASSWORD"]
    return options, environment


POSTGRES_PROCEDURE = """\
pg_dump was not found. Back up PostgreSQL by hand, then copy the files:
  pg_dump --format=custom --file {path}/database.dump --dbname NAME --host HOST --username USER
  cp -a {checkpoints} {path}/audit/      # the audit checkpoints: before the dump's end
  cp -a {media} {path}/media             # uploaded and produced files
and keep ONESTOP_SECRET_KEY (or {data}/secret_key) apart from the backup."""

POSTGRES_RESTORE_PROCEDURE = """\
pg_restore was not found. Restore PostgreSQL by hand into an empty database:
  createdb --owner USER NAME
  pg_restore --no-owner --exit-on-error --dbname NAME {path}/database.dump
then copy {path}/audit/* into {checkpoints} and {path}/media into {media}."""


@dataclass(frozen=True)
class Backup:
    path: Path
    database: str
    checkpoints: int
    media_files: int


def _copy_checkpoints(into: Path) -> int:
    source = checkpoints.directory()
    into.mkdir(parents=True, exist_ok=True)
    for name in (checkpoints.FILE_NAME, checkpoints.CERTIFICATES_NAME):
        if (source / name).exists():
            shutil.copy2(source / name, into / name)
    file = into / checkpoints.FILE_NAME
    return len(file.read_text().splitlines()) if file.exists() else 0


def _copy_media(into: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        into.mkdir(parents=True, exist_ok=True)
        return 0
    shutil.copytree(media, into, dirs_exist_ok=True)
    return sum(1 for p in into.rglob("*") if p.is_file())


def _sqlite_backup(into: Path) -> None:
    """SQLite's online backup in one step: a consistent copy as of one moment, taken while
    other connections keep writing (WAL lets them)."""
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    target = sqlite3.connect(into)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def take(path: Path) -> Backup:
    """Writes a backup into `path`, a directory that must not exist yet or be empty."""
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"{path} is not empty: give a new directory")
    database = _engine()
    if database == "postgresql" and postgres_program("pg_dump") is None:
        raise BackupError(
            POSTGRES_PROCEDURE.format(
                path=path,
                checkpoints=checkpoints.checkpoint_file(),
                media=settings.MEDIA_ROOT,
                data=settings.DATA_DIR,
            )
        )
    path.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    signed = _copy_checkpoints(path / AUDIT)
    if database == "sqlite":
        _sqlite_backup(path / DATABASE_SQLITE)
    else:
        program = postgres_program("pg_dump")
        assert program is not None
        _run_postgres(program, "--format=custom", "--file", str(path / DATABASE_DUMP))
    media = _copy_media(path / MEDIA)
    manifest = {
        "taken_at": started.astimezone(datetime.UTC).isoformat(),
        "database": database,
        "audit_checkpoints": signed,
        "media_files": media,
    }
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Backup(path, database, signed, media)


def _set_aside(path: Path) -> Path | None:
    """Renames a file the restore would replace, so that nothing is lost."""
    if not path.exists():
        return None
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.stem}.before-restore-{stamp}{path.suffix}")
    path.rename(kept)
    return kept


def _restore_checkpoints(source: Path) -> list[Path]:
    """The backup's checkpoint file becomes the current one; a different file already
    there is renamed and kept, for it holds the signatures of what the restore undid.
    Certificates are only ever added."""
    target = checkpoints.directory()
    target.mkdir(parents=True, exist_ok=True)
    set_aside = []
    file = source / checkpoints.FILE_NAME
    current = target / checkpoints.FILE_NAME
    if file.exists():
        if current.exists() and current.read_bytes() != file.read_bytes():
            set_aside.append(_set_aside(current))
        shutil.copy2(file, current)
    certificates = source / checkpoints.CERTIFICATES_NAME
    if certificates.exists():
        kept = target / checkpoints.CERTIFICATES_NAME
        have = kept.read_text() if kept.exists() else ""
        with kept.open("a") as out:
            for pem in certificates.read_text().split("-----END CERTIFICATE-----"):
                pem = pem.strip()
                if pem and pem not in have:
                    out.write(pem + "\n-----END CERTIFICATE-----\n")
    return [p for p in set_aside if p is not None]


@dataclass(frozen=True)
class Restored:
    database: str
    set_aside: list[Path]


def _database_is_empty() -> bool:
    with connections["default"].cursor() as cursor:
        tables = connections["default"].introspection.table_names(cursor)
    return "audit_auditevent" not in tables


def restore(path: Path, *, replace: bool = False) -> Restored:
    """Restores the backup in `path` into the configured database, checkpoint directory
    and media directory. A database that already holds the platform is replaced only with
    `replace`; checkpoint files already there are renamed, never overwritten."""
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{path} holds no backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text())
    database = _engine()
    if manifest["database"] != database:
        raise BackupError(
            f"the backup is of a {manifest['database']} database; this platform is "
            f"configured for {database}"
        )
    if not replace and not _database_is_empty():
        raise BackupError(
            "the configured database already holds the platform: stop the server and "
            "worker and give --replace, or restore into an empty database"
        )
    connections.close_all()
    if database == "sqlite":
        source = sqlite3.connect(path / DATABASE_SQLITE)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        program = postgres_program("pg_restore")
        if program is None:
            raise BackupError(
                POSTGRES_RESTORE_PROCEDURE.format(
                    path=path,
                    checkpoints=checkpoints.directory(),
                    media=settings.MEDIA_ROOT,
                )
            )
        extra = ["--clean", "--if-exists"] if replace else []
        _run_postgres(program, "--no-owner", "--exit-on-error", *extra, last=path / DATABASE_DUMP)
    set_aside = _restore_checkpoints(path / AUDIT)
    if (path / MEDIA).exists():
        shutil.copytree(path / MEDIA, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return Restored(database, set_aside)
