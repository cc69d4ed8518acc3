"""Back up Sigap: a PostgreSQL dump and the evidence store in one tar archive, with a manifest.

    python manage.py backup /srv/backups/sigap/          # writes sigap-backup-<UTC time>.tar there
    python manage.py backup /srv/backups/sigap/today.tar

The archive (docs/operations/backup.md) holds:

- ``database.dump``: ``pg_dump --format=custom --no-owner`` of settings.DATABASES["default"];
- ``media/<path>``: every file of the evidence store (the default storage's folder,
  SIGAP_MEDIA_ROOT), read *after* the dump, so every Evidence row in the dump finds its file
  (a file stored after the dump is a harmless extra);
- ``manifest.json``: Sigap's version and commit, the migration heads, row counts (complaints,
  identities, evidence, messages, queued messages), the sha256 of the dump and of every file,
  a check value of the keys and when it was made.

The dump runs in a snapshot this command exports from a REPEATABLE READ transaction, and the
counts and the Evidence rows are read in that same snapshot: they are exactly the dump's.

The keys (SIGAP_DATA_KEYS, SIGAP_INDEX_KEY) are NOT in the archive: personal data is in it only
as ciphertext and a restore needs the same keys, kept elsewhere. The manifest holds only a token
of a fixed text under the data key and its blind index, so that `restore` can tell a wrong key
before it touches the database. Evidence files are stored as they were uploaded (not encrypted):
the archive is personal data, written mode 0600. The PIN key (SIGAP_PIN_KEY, else SECRET_KEY) is
checked the same way: without it no complainant's PIN works after a restore.

Only PostgreSQL. On the embedded SQLite default the backup is a copy of the database file and of
the evidence folder, taken while Sigap is stopped (docs/operations/backup.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.loader import MigrationLoader

from complaints.codes import hash_pin
from complaints.models import Complaint, Evidence, Identity
from notifications.models import Message, Status
from notifications.personal import blind_index, encrypt

FORMAT = "sigap-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media/"
# A fixed text whose Fernet token and blind index the manifest keeps: a restore checks its keys on
# them before it changes anything. Neither reveals anything about the keys or the data.
KEY_CHECK_TEXT = "sigap-backup-key-check"
# A file of a row in the dump may vanish before it is read only when retention erases its case in
# between; the whole backup is then taken again, this many times at most.
ATTEMPTS = 3
CHUNK = 1024 * 1024
# libpq settings in DATABASES OPTIONS that pg_dump/pg_restore read from the environment.
LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}

SQLITE_REFUSAL = (
    "backup/restore hanya untuk PostgreSQL. Pada SQLite bawaan, cadangannya adalah salinan berkas "
    "basis data (var/sigap.sqlite3) dan folder bukti (SIGAP_MEDIA_ROOT) yang diambil saat Sigap "
    "berhenti; lihat docs/operations/backup.md. / backup/restore support PostgreSQL only. On the "
    "embedded SQLite default the backup is a copy of the database file and the evidence folder, "
    "taken while Sigap is stopped; see docs/operations/backup.md."
)


# --- shared with restore.py ----------------------------------------------------------------------
@dataclass(frozen=True)
class Database:
    """Where settings point PostgreSQL clients: pg_dump/pg_restore and psycopg alike."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        db = settings.DATABASES[alias]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError(SQLITE_REFUSAL)
        options = {k: str(v) for k, v in (db.get("OPTIONS") or {}).items() if k in LIBPQ_ENV}
        return cls(
            name=db["NAME"],
            host=db.get("HOST") or "",
            port=str(db.get("PORT") or ""),
            user=db.get("USER") or "",
            password=db.get("PASSWORD") or "",
            options=options,
        )

    def client_args(self) -> list[str]:
        """Connection arguments for pg_dump/pg_restore: never the password (that goes in env())."""
        args = []
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        if self.user:
            args += ["--username", self.user]
        return [*args, "--no-password", f"--dbname={self.name}"]

    def env(self) -> dict[str, str]:
        """The environment of a client process: the password in PGPASSWORD, not on its command line."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        for option, variable in LIBPQ_ENV.items():
            if option in self.options:
                env[variable] = self.options[option]
        return env

    def connect(self, **kwargs):
        import psycopg

        params = {"dbname": self.name, **self.options, **kwargs}
        for key in ("host", "port", "user", "password"):
            if getattr(self, key):
                params[key] = getattr(self, key)
        try:
            return psycopg.connect(**params)
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"Tidak dapat terhubung ke basis data / cannot connect to the database: {exc}"
            ) from None


def evidence_root() -> Path:
    """The evidence store's folder: the default storage, a FileSystemStorage (SIGAP_MEDIA_ROOT)."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise CommandError(
            "Penyimpanan bukti bukan folder lokal (FileSystemStorage); cadangkan penyimpanannya sendiri. "
            "/ The evidence storage is not a local folder (FileSystemStorage); back it up on its own."
        )
    return Path(storage.location)


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as file:
        return sha256_of(file)


def run_client(command: list[str], database: Database, *, what: str, **kwargs) -> None:
    """Run pg_dump or pg_restore; a failure is a CommandError with the end of its own message
    (which never holds the password: that is only in the process's environment)."""
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program, arguments from settings
            command, env=database.env(), capture_output=True, text=True, check=False, **kwargs
        )
    except FileNotFoundError:
        raise CommandError(
            f"{command[0]} tidak ditemukan: pasang klien PostgreSQL (paket postgresql-client) yang "
            f"versinya tidak lebih lama dari server. / {command[0]} not found: install the PostgreSQL "
            "client tools (postgresql-client), no older than the server."
        )
    if result.returncode != 0:
        raise CommandError(f"{what} gagal / failed ({result.returncode}):\n{result.stderr.strip()[-2000:]}")


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


# --- the backup ----------------------------------------------------------------------------------
class _HashingReader:
    """A file read into the archive, hashed on the way (one read per file)."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.digest.update(data)
        return data


class _FileVanished(Exception):
    """Files of Evidence rows in the dump that were not in the store when read."""

    def __init__(self, names: set[str]):
        super().__init__(", ".join(sorted(names)[:5]))
        self.names = names


def _sigap_version() -> dict:
    try:
        version = metadata.version("sigap")
    except metadata.PackageNotFoundError:
        version = None
    commit = os.environ.get("SIGAP_COMMIT") or None
    if commit is None and (settings.BASE_DIR / ".git").exists():
        try:
            commit = (
                subprocess.run(  # noqa: S603
                    ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=True,
                ).stdout.strip()
                or None
            )
        except (OSError, subprocess.SubprocessError):
            commit = None
    return {"version": version, "commit": commit}


def migration_heads(applied: set[tuple[str, str]]) -> dict[str, list[str]]:
    """Per app, the applied migrations no other applied migration of that app depends on."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    heads: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        key = (app, name)
        if key in graph.nodes:
            children = {child for child in graph.node_map[key].children if child[0] == app}
            if children & applied:
                continue
        heads.setdefault(app, []).append(name)
    return heads


def snapshot_counts(cursor) -> dict[str, int]:
    """The manifest's row counts, read in the dump's snapshot."""
    queries = {
        "complaints": f"SELECT count(*) FROM {Complaint._meta.db_table}",  # noqa: S608 - model names
        "identities": f"SELECT count(*) FROM {Identity._meta.db_table}",  # noqa: S608
        "evidence": f"SELECT count(*) FROM {Evidence._meta.db_table}",  # noqa: S608
        "messages": f"SELECT count(*) FROM {Message._meta.db_table}",  # noqa: S608
        "messages_queued": f"SELECT count(*) FROM {Message._meta.db_table} WHERE status = %s",  # noqa: S608
    }
    counts = {}
    for name, query in queries.items():
        cursor.execute(query, [Status.QUEUED] if "%s" in query else [])
        counts[name] = cursor.fetchone()[0]
    return counts


def key_check() -> dict[str, str]:
    """Check values of the keys a restore needs; none reveals anything about a key."""
    return {
        "data_key_token": encrypt(KEY_CHECK_TEXT),
        "index_key_hash": blind_index(KEY_CHECK_TEXT),
        "pin_key_hash": hash_pin(KEY_CHECK_TEXT),
    }


class Command(BaseCommand):
    help = (
        "Cadangkan basis data PostgreSQL dan penyimpanan bukti ke satu arsip tar / back up the "
        "PostgreSQL database and the evidence store into one tar archive (docs/operations/backup.md)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "target",
            help="a folder (made if missing; the archive is named sigap-backup-<UTC time>.tar in it) or "
            "the archive's file name, ending in .tar",
        )

    def handle(self, *args, target, **options):
        database = Database.from_settings()
        root = evidence_root()
        destination = self._destination(Path(target))
        # A file missing again after a retry, with its row still there, was lost before this
        # backup: it is listed in the manifest (evidence_missing) instead of failing every backup.
        missing: set[str] = set()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                manifest = self._write(database, root, destination, missing_before=missing)
                break
            except _FileVanished as exc:
                missing |= exc.names
                if attempt == ATTEMPTS:
                    raise CommandError(
                        f"Berkas bukti {exc} hilang selama pencadangan, {ATTEMPTS} kali berturut-turut; "
                        f"periksa penyimpanan bukti. / Evidence file {exc} vanished during the backup "
                        f"{ATTEMPTS} times in a row; check the evidence store."
                    )
                self.stderr.write(
                    f"Berkas bukti {exc} terhapus selama pencadangan (retensi?); diulang. / Evidence file "
                    f"{exc} was removed during the backup (retention?); starting again."
                )
        self._summary(destination, manifest)
        damaged, lost = manifest["evidence_damaged"], manifest["evidence_missing"]
        if damaged or lost:
            raise CommandError(
                f"Cadangan tertulis, tetapi penyimpanan bukti sudah rusak sebelum dicadangkan: "
                f"{len(damaged)} berkas tidak sesuai sha256 barisnya, {len(lost)} berkas tidak ada "
                "(daftar di manifest.json: evidence_damaged, evidence_missing). / The backup was "
                f"written, but the evidence store was damaged before it: {len(damaged)} files do not "
                f"match their rows' sha256, {len(lost)} files are missing (listed in manifest.json: "
                "evidence_damaged, evidence_missing)."
            )

    @staticmethod
    def _destination(target: Path) -> Path:
        # A folder unless it names a .tar file: one that does not exist yet is made (mode 0700).
        if target.is_dir() or str(target).endswith(os.sep) or target.suffix != ".tar":
            target.mkdir(mode=0o700, parents=True, exist_ok=True)
            return target / f"sigap-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar"
        if target.exists():
            raise CommandError(f"{target} sudah ada; tidak ditimpa. / {target} exists; not overwritten.")
        if not target.parent.is_dir():
            raise CommandError(f"Folder {target.parent} tidak ada. / Folder {target.parent} does not exist.")
        return target

    def _write(self, database: Database, root: Path, destination: Path, *, missing_before: set[str]) -> dict:
        created_at = datetime.now(UTC)
        partial = destination.with_name(destination.name + ".partial")
        with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".sigap-backup-") as work:
            dump = Path(work) / DUMP
            # One REPEATABLE READ transaction exports its snapshot; pg_dump dumps that snapshot and
            # the counts and Evidence rows are read in it too, so they are exactly the dump's.
            with database.connect(autocommit=False) as conn:
                import psycopg

                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                conn.read_only = True
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                    run_client(
                        [
                            "pg_dump",
                            "--format=custom",
                            "--no-owner",
                            f"--snapshot={snapshot}",
                            f"--file={dump}",
                            *database.client_args(),
                        ],
                        database,
                        what="pg_dump",
                    )
                    counts = snapshot_counts(cursor)
                    cursor.execute("SELECT app, name FROM django_migrations")
                    applied = {(app, name) for app, name in cursor.fetchall()}
                    cursor.execute(
                        f"SELECT file, sha256 FROM {Evidence._meta.db_table} WHERE file <> ''"  # noqa: S608
                    )
                    rows = cursor.fetchall()
                    evidence_rows = dict(rows)
                server_version = conn.info.server_version
                conn.rollback()

            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with (
                    os.fdopen(fd, "wb") as out,
                    tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar,
                ):
                    dump_sha, dump_size = self._add(tar, dump, DUMP)
                    # The file list is taken now, after the dump: every row in it has its file.
                    files = []
                    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                        relative = path.relative_to(root).as_posix()
                        try:
                            digest, size = self._add(tar, path, MEDIA + relative)
                        except FileNotFoundError:
                            continue  # not an evidence row's file (any more): nothing is lost
                        files.append({"path": relative, "size": size, "sha256": digest})
                    stored = {entry["path"]: entry["sha256"] for entry in files}
                    missing = set(evidence_rows) - set(stored)
                    if missing - missing_before:
                        raise _FileVanished(missing - missing_before)
                    manifest = {
                        "format": FORMAT,
                        "created_at": created_at.isoformat(),
                        "sigap": _sigap_version(),
                        "database": {
                            "engine": "postgresql",
                            "server_version": server_version,
                            "dump": DUMP,
                            "dump_sha256": dump_sha,
                            "dump_size": dump_size,
                        },
                        "migrations": migration_heads(applied),
                        "counts": {**counts, "evidence_files": len(rows)},
                        "files": files,
                        "evidence_damaged": [
                            {"path": name, "row_sha256": row_sha, "file_sha256": stored[name]}
                            for name, row_sha in sorted(evidence_rows.items())
                            if name in stored and stored[name] != row_sha
                        ],
                        "evidence_missing": sorted(missing),
                        "keys": key_check(),
                    }
                    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(data), 0o600, int(created_at.timestamp())
                    tar.addfile(info, io.BytesIO(data))
                os.replace(partial, destination)
            finally:
                partial.unlink(missing_ok=True)
        return manifest

    @staticmethod
    def _add(tar: tarfile.TarFile, path: Path, name: str) -> tuple[str, int]:
        """Add one file under `name`; its sha256 and size, as read."""
        with path.open("rb") as file:
            info = tar.gettarinfo(arcname=name, fileobj=file)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            reader = _HashingReader(file)
            tar.addfile(info, reader)
        return reader.digest.hexdigest(), info.size

    def _summary(self, destination: Path, manifest: dict) -> None:
        counts = manifest["counts"]
        sigap = manifest["sigap"]
        self.stdout.write(
            f"Cadangan dibuat / backup written: {destination} ({human_size(destination.stat().st_size)})\n"
            f"  Sigap {sigap['version'] or '?'} {(sigap['commit'] or '')[:12]}\n"
            f"  pengaduan / complaints: {counts['complaints']}\n"
            f"  identitas / identities: {counts['identities']}\n"
            f"  bukti / evidence: {counts['evidence']} (berkas di arsip / files in the archive: "
            f"{len(manifest['files'])})\n"
            f"  pesan / messages: {counts['messages']} (antre / queued: {counts['messages_queued']})\n"
            "Kunci SIGAP_DATA_KEYS dan SIGAP_INDEX_KEY TIDAK ada di arsip: simpan terpisah. / The keys "
            "SIGAP_DATA_KEYS and SIGAP_INDEX_KEY are NOT in the archive: keep them separately."
        )
