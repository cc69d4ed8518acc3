"""Restore an archive of `manage.py backup` and verify it against its manifest.

    python manage.py restore /srv/backups/sigap/sigap-backup-20260501T020000Z.tar

Into the database settings point at (DATABASE_URL) and the evidence store (SIGAP_MEDIA_ROOT), in
this order (docs/operations/backup.md):

1. read the manifest and check the archive before anything changes: the database must be empty
   (no table; ``--force`` restores over one, pg_restore ``--clean --if-exists``), the configured
   SIGAP_DATA_KEYS, SIGAP_INDEX_KEY and the PIN key must be the backup's (the manifest's check
   values), and the dump and every file must match their sha256 in the manifest; an evidence file
   already in the store with other content is refused too (``--force`` overwrites it);
2. ``pg_restore --no-owner --no-acl --single-transaction --exit-on-error``;
3. the evidence files, each written beside its place and renamed into it;
4. verify: row counts (complaints, identities, evidence, messages, queued messages) equal the
   manifest's, the migration heads are applied, every file of the manifest and every Evidence
   row's file is in the store with its sha256, and a sample of every encrypted column decrypts
   with the configured keys (and its blind index matches). A summary is printed; any mismatch
   ends with a non-zero exit.

Only PostgreSQL (the embedded SQLite default: see backup.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from complaints.codes import hash_pin
from complaints.management.commands.backup import (
    CHUNK,
    DUMP,
    FORMAT,
    KEY_CHECK_TEXT,
    MANIFEST,
    MEDIA,
    Database,
    evidence_root,
    human_size,
    run_client,
    sha256_file,
    sha256_of,
)
from complaints.models import Complaint, Evidence, Identity
from notifications.models import Message, Status
from notifications.personal import EncryptedTextField, blind_index, decrypt

# Rows read from each end of every table with encrypted columns (oldest and newest).
SAMPLE = 25


def refuse(text: str) -> CommandError:
    return CommandError(f"{text}\nTidak ada yang diubah. / Nothing was changed.")


def encrypted_sample_problems(sample: int = SAMPLE) -> tuple[int, list[str]]:
    """Decrypt the oldest and newest `sample` rows of every encrypted column with the configured
    SIGAP_DATA_KEYS, and compare their blind indexes under SIGAP_INDEX_KEY. Returns how many values
    were read and what did not match (by table and column: never a value)."""
    quote = connection.ops.quote_name
    checked, problems = 0, []
    for model in apps.get_models():
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not encrypted:
            continue
        indexed = {
            name: model._meta.get_field(f"{name}_index").column
            for name in getattr(model, "blind_indexed", ())
        }
        columns = [f.column for f in encrypted]
        pk = model._meta.pk.column
        where = " OR ".join(f"{quote(column)} <> ''" for column in columns)
        select = ", ".join(quote(c) for c in [pk, *columns, *indexed.values()])
        rows = {}
        with connection.cursor() as cursor:
            for order in ("ASC", "DESC"):
                cursor.execute(
                    f"SELECT {select} FROM {quote(model._meta.db_table)} WHERE {where} "  # noqa: S608
                    f"ORDER BY {quote(pk)} {order} LIMIT %s",
                    [sample],
                )
                rows.update((row[0], row) for row in cursor.fetchall())
        undecryptable, unmatched = set(), set()
        for row in rows.values():
            values = dict(zip(columns, row[1 : 1 + len(columns)], strict=True))
            indexes = dict(zip(indexed, row[1 + len(columns) :], strict=True))
            plain = {}
            for field in encrypted:
                token = values[field.column]
                if not token:
                    continue
                checked += 1
                try:
                    plain[field.name] = decrypt(token)
                except ValueError:
                    undecryptable.add(field.column)
            for name, stored in indexes.items():
                if plain.get(name) and stored and blind_index(plain[name]) != stored:
                    unmatched.add(name)
        table = model._meta.db_table
        if undecryptable:
            problems.append(
                f"{table} ({', '.join(sorted(undecryptable))}): nilai tidak terbuka dengan SIGAP_DATA_KEYS "
                "yang dipasang / values do not decrypt with the configured SIGAP_DATA_KEYS"
            )
        if unmatched:
            problems.append(
                f"{table} ({', '.join(sorted(unmatched))}_index): indeks buta tidak cocok dengan "
                "SIGAP_INDEX_KEY yang dipasang / blind indexes do not match the configured SIGAP_INDEX_KEY"
            )
    return checked, problems


class Command(BaseCommand):
    help = (
        "Pulihkan arsip `backup` ke basis data kosong dan penyimpanan bukti, lalu verifikasi / restore a "
        "`backup` archive into an empty database and the evidence store, then verify it"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database that holds tables (pg_restore --clean --if-exists) and "
            "overwrite evidence files whose content differs",
        )

    def handle(self, *args, archive, force, **options):
        database = Database.from_settings()
        root = evidence_root()
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"Arsip {path} tidak ada. / Archive {path} does not exist.")
        try:
            tar = tarfile.open(path, "r:*")
        except tarfile.TarError as exc:
            raise refuse(f"{path} bukan arsip tar / is not a tar archive: {exc}")
        with tar, tempfile.TemporaryDirectory(prefix="sigap-restore-") as work:
            try:
                members = self._members(tar)
                manifest = self._manifest(tar, members)
                self._check_empty(force=force)
                self._check_keys(manifest)
                dump = Path(work) / DUMP
                self._check_archive(tar, members, manifest, dump)
            except (tarfile.TarError, EOFError, KeyError, TypeError) as exc:
                raise refuse(f"Arsip rusak / the archive is damaged: {exc!r}")
            self._check_store(root, manifest, force=force)

            self.stdout.write(
                f"Memulihkan cadangan {manifest['created_at']} / restoring the backup of "
                f"{manifest['created_at']} ({human_size(path.stat().st_size)}) …"
            )
            command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
            if force:
                command += ["--clean", "--if-exists"]
            connections.close_all()
            run_client([*command, *database.client_args(), str(dump)], database, what="pg_restore")
            written, kept = self._restore_files(tar, members, manifest, root)
        connections.close_all()
        self.stdout.write(
            f"  berkas bukti ditulis / evidence files written: {written}"
            + (f" (sudah ada dan sama / already there, identical: {kept})" if kept else "")
        )
        self._verify(manifest, root)

    # --- before anything changes -----------------------------------------------------------------
    @staticmethod
    def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
        members: dict[str, tarfile.TarInfo] = {}
        for member in tar.getmembers():
            name = member.name
            relative = PurePosixPath(name[len(MEDIA) :]) if name.startswith(MEDIA) else None
            allowed = name in (MANIFEST, DUMP) or (
                relative is not None
                and relative.parts
                and not relative.is_absolute()
                and ".." not in relative.parts
            )
            if not member.isfile() or not allowed:
                raise refuse(
                    f"Arsip memuat entri yang bukan milik cadangan Sigap: {name!r}. / The archive holds an "
                    f"entry no Sigap backup writes: {name!r}."
                )
            if name in members:
                raise refuse(f"Entri ganda di arsip / duplicate entry in the archive: {name!r}.")
            members[name] = member
        return members

    @staticmethod
    def _manifest(tar: tarfile.TarFile, members: dict) -> dict:
        if MANIFEST not in members or DUMP not in members:
            raise refuse(
                f"Arsip tanpa {MANIFEST} atau {DUMP}: bukan cadangan `manage.py backup`. / The archive "
                f"lacks {MANIFEST} or {DUMP}: not a `manage.py backup` archive."
            )
        try:
            manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
        except ValueError as exc:
            raise refuse(f"{MANIFEST} rusak / is damaged: {exc}")
        if manifest.get("format") != FORMAT:
            raise refuse(
                f"Format cadangan {manifest.get('format')!r} tidak dikenal Sigap ini ({FORMAT}). / Backup "
                f"format {manifest.get('format')!r} is unknown to this Sigap ({FORMAT})."
            )
        return manifest

    @staticmethod
    def _check_empty(*, force: bool) -> None:
        try:
            cursor = connection.cursor()
        except OperationalError as exc:
            raise refuse(f"Tidak dapat terhubung ke basis data / cannot connect to the database: {exc}")
        with cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
            )
            relations = cursor.fetchone()[0]
        if relations and not force:
            name = connection.settings_dict["NAME"]
            raise refuse(
                f"Basis data {name!r} tidak kosong ({relations} tabel/urutan): pemulihan hanya ke basis "
                f"data kosong (buat dengan createdb), atau --force untuk menimpanya. / Database {name!r} "
                f"is not empty ({relations} tables/sequences): restore into an empty database (createdb), "
                "or --force to restore over it."
            )

    @staticmethod
    def _check_keys(manifest: dict) -> None:
        keys = manifest.get("keys") or {}
        try:
            data_ok = decrypt(keys.get("data_key_token", "")) == KEY_CHECK_TEXT
        except ValueError:
            data_ok = False
        if not data_ok:
            raise refuse(
                "SIGAP_DATA_KEYS yang dipasang bukan kunci cadangan ini: data pribadinya tidak akan terbaca. "
                "Pasang kunci yang berlaku saat cadangan dibuat (disimpan terpisah dari cadangan). / The "
                "configured SIGAP_DATA_KEYS is not this backup's key: its personal data would not decrypt. "
                "Configure the keys in use when the backup was made (kept apart from the backups)."
            )
        if blind_index(KEY_CHECK_TEXT) != keys.get("index_key_hash"):
            raise refuse(
                "SIGAP_INDEX_KEY yang dipasang bukan kunci cadangan ini: pesan masuk tidak akan menemukan "
                "pengirimnya. / The configured SIGAP_INDEX_KEY is not this backup's: inbound messages "
                "would not find their senders."
            )
        if "pin_key_hash" in keys and hash_pin(KEY_CHECK_TEXT) != keys["pin_key_hash"]:
            raise refuse(
                "SIGAP_PIN_KEY (atau SECRET_KEY bila SIGAP_PIN_KEY tidak diisi) bukan kunci cadangan ini: "
                "PIN para pelapor tidak akan berlaku. / SIGAP_PIN_KEY (or SECRET_KEY when SIGAP_PIN_KEY is "
                "unset) is not this backup's: no complainant's PIN would work."
            )

    @staticmethod
    def _check_archive(tar: tarfile.TarFile, members: dict, manifest: dict, dump: Path) -> None:
        """The dump (extracted to `dump` on the way) and every file against the manifest."""
        problems = []
        digest = hashlib.sha256()
        with tar.extractfile(members[DUMP]) as source, dump.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != manifest["database"]["dump_sha256"]:
            problems.append(f"{DUMP}: sha256 berbeda / differs")
        listed = {MEDIA + entry["path"]: entry for entry in manifest["files"]}
        for name, entry in listed.items():
            if name not in members:
                problems.append(f"{entry['path']}: tidak ada di arsip / missing from the archive")
            else:
                with tar.extractfile(members[name]) as source:
                    if sha256_of(source) != entry["sha256"]:
                        problems.append(f"{entry['path']}: sha256 berbeda / differs")
        for name in members:
            if name.startswith(MEDIA) and name not in listed:
                problems.append(f"{name[len(MEDIA) :]}: tidak tercatat di manifest / not in the manifest")
        if problems:
            raise refuse(
                "Arsip rusak atau diubah; tidak dipulihkan. / The archive is damaged or altered; not "
                "restored:\n  " + "\n  ".join(problems)
            )

    @staticmethod
    def _check_store(root: Path, manifest: dict, *, force: bool) -> None:
        differing = [
            entry["path"]
            for entry in manifest["files"]
            if (root / entry["path"]).is_file() and sha256_file(root / entry["path"]) != entry["sha256"]
        ]
        if differing and not force:
            raise refuse(
                f"{len(differing)} berkas di {root} berisi lain daripada di arsip (mis. {differing[0]}); "
                f"--force untuk menimpanya. / {len(differing)} files in {root} differ from the archive's "
                f"(e.g. {differing[0]}); --force overwrites them."
            )

    # --- the restore -----------------------------------------------------------------------------
    @staticmethod
    def _restore_files(tar: tarfile.TarFile, members: dict, manifest: dict, root: Path) -> tuple[int, int]:
        written = kept = 0
        for entry in manifest["files"]:
            target = root / entry["path"]
            if target.is_file() and sha256_file(target) == entry["sha256"]:
                kept += 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            with tar.extractfile(members[MEDIA + entry["path"]]) as source, partial.open("wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
            os.replace(partial, target)
            written += 1
        return written, kept

    # --- verification ----------------------------------------------------------------------------
    def _verify(self, manifest: dict, root: Path) -> None:
        problems: list[str] = []
        expected = manifest["counts"]
        found = {
            "complaints": Complaint.objects.count(),
            "identities": Identity.objects.count(),
            "evidence": Evidence.objects.count(),
            "evidence_files": Evidence.objects.exclude(file="").count(),
            "messages": Message.objects.count(),
            "messages_queued": Message.objects.filter(status=Status.QUEUED).count(),
        }
        labels = {
            "complaints": "pengaduan / complaints",
            "identities": "identitas / identities",
            "evidence": "bukti / evidence",
            "evidence_files": "bukti berberkas / evidence with a file",
            "messages": "pesan / messages",
            "messages_queued": "pesan antre / queued messages",
        }
        self.stdout.write("Verifikasi / verification:")
        for key, label in labels.items():
            ok = found[key] == expected.get(key)
            self.stdout.write(
                f"  {label:40} {found[key]:>7} / manifest {expected.get(key)!s:>7}  {'ok' if ok else 'BEDA / DIFFERS'}"
            )
            if not ok:
                problems.append(f"{label}: {found[key]} ≠ manifest {expected.get(key)}")

        applied = set(MigrationRecorder(connection).applied_migrations())
        heads = [(app, name) for app, names in manifest["migrations"].items() for name in names]
        missing_heads = [f"{app}.{name}" for app, name in heads if (app, name) not in applied]
        if missing_heads:
            problems.append("migrasi tidak tercatat / migrations not recorded: " + ", ".join(missing_heads))

        # Every file of the manifest, read back from the store.
        actual = {}
        for entry in manifest["files"]:
            target = root / entry["path"]
            actual[entry["path"]] = sha256_file(target) if target.is_file() else None
        bad_files = [p for p, e in ((e["path"], e) for e in manifest["files"]) if actual[p] != e["sha256"]]
        for name in bad_files:
            problems.append(f"{name}: berkas tidak ada atau berbeda / file missing or different")
        # Every Evidence row finds its file, with the sha256 recorded at intake (but for files the
        # backup found damaged or missing already: the restore cannot be better than its source).
        damaged = {entry["path"] for entry in manifest.get("evidence_damaged", [])}
        lost = set(manifest.get("evidence_missing", []))
        rows = 0
        for name, sha in Evidence.objects.exclude(file="").values_list("file", "sha256").iterator():
            rows += 1
            digest = actual.get(name)
            if digest is None and (root / name).is_file():
                digest = sha256_file(root / name)
            if digest is None and name not in lost:
                problems.append(f"{name}: berkas bukti tidak ada / evidence file missing")
            elif digest is not None and digest != sha and name not in damaged:
                problems.append(f"{name}: sha256 berbeda dari barisnya / differs from its row")
        self.stdout.write(
            f"  berkas bukti / evidence files: {len(manifest['files']) - len(bad_files)}/{len(manifest['files'])} "
            f"sha256 cocok / match; baris bukti / evidence rows: {rows}"
        )
        if damaged or lost:
            self.stdout.write(
                self.style.WARNING(
                    f"  Sudah rusak saat dicadangkan / already damaged when backed up: {len(damaged)} "
                    f"berkas berbeda / differ, {len(lost)} tidak ada / missing (manifest.json: "
                    "evidence_damaged, evidence_missing)"
                )
            )

        checked, key_problems = encrypted_sample_problems()
        problems += key_problems
        self.stdout.write(
            f"  kunci / keys: {checked} nilai terenkripsi dicoba / encrypted values tried, "
            + ("semua terbuka / all decrypt" if not key_problems else "GAGAL / FAILED")
        )

        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        unknown = [f"{app}.{name}" for app, name in heads if (app, name) not in graph.nodes]
        pending = [f"{app}.{name}" for app, name in graph.leaf_nodes() if (app, name) not in applied]
        if unknown:
            self.stdout.write(
                self.style.WARNING(
                    "  Cadangan dari Sigap yang lebih baru (migrasi tak dikenal kode ini) / the backup is from "
                    "a newer Sigap (migrations this code does not know): " + ", ".join(unknown)
                )
            )
        elif pending:
            self.stdout.write(
                "  Kode ini lebih baru dari cadangan: jalankan `manage.py migrate`. / This code is newer "
                "than the backup: run `manage.py migrate`."
            )

        if problems:
            raise CommandError(
                "Verifikasi GAGAL / verification FAILED:\n  "
                + "\n  ".join(problems[:50])
                + (f"\n  … +{len(problems) - 50}" if len(problems) > 50 else "")
            )
        sigap = manifest.get("sigap") or {}
        self.stdout.write(
            self.style.SUCCESS(
                f"Pemulihan cocok dengan manifest / the restore matches its manifest (Sigap "
                f"{sigap.get('version') or '?'} {(sigap.get('commit') or '')[:12]}, {manifest['created_at']})."
            )
        )
        self.stdout.write(
            "Sebelum melayani / before serving: `manage.py erase_expired_personal_data` (retensi); "
            f"{found['messages_queued']} pesan antre terkirim begitu worker berjalan / queued messages go "
            "out once a worker runs (a drill: SIGAP_MESSAGE_SENDER=console)."
        )
