"""A backup restores (docs/operations/backup.md): `manage.py backup` of PostgreSQL and the evidence
store, `manage.py restore` into a fresh database and a fresh evidence folder in another process,
and every complaint, evidence file and queued message is there; a database that holds tables, an
altered archive and the wrong keys are refused clearly."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from complaints.intake.services import complaint_submit
from complaints.models import Complaint, Evidence
from notifications.models import Message, Status
from notifications.personal import blind_index, decrypt
from tests.asgi_server import ROOT, database_url_for_subprocess
from tests.complaints.intake_data import PDF, PNG, upload, valid

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUEUED = ["+6281311112222", "+6285733334444"]


def pdf(marker: str) -> bytes:
    return PDF.replace(b"%%EOF", f"% {marker}\n%%EOF".encode())


@pytest.fixture
def fresh_database(postgres):
    """An empty PostgreSQL database of its own, dropped after the test."""
    name = f"sigap_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_of(name: str) -> str:
    return database_url_for_subprocess().rsplit("/", 1)[0] + "/" + name


def connect(name: str):
    db = connection.settings_dict
    params = {"dbname": name, "host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432}
    if db["USER"]:
        params["user"] = db["USER"]
    if db["PASSWORD"]:
        params["password"] = db["PASSWORD"]
    return psycopg.connect(**params)


def restore(archive: Path, *, database: str, media: Path, force=False, **env) -> subprocess.CompletedProcess:
    """`manage.py restore` in a process of its own, its settings pointed at `database` and `media`."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url_of(database),
        "SIGAP_MEDIA_ROOT": str(media),
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "SIGAP_DATA_KEYS": ",".join(settings.SIGAP_DATA_KEYS),
        "SIGAP_INDEX_KEY": settings.SIGAP_INDEX_KEY,
        "SIGAP_PIN_KEY": settings.SIGAP_PIN_KEY,
        **env,
    }
    for name in ("REDIS_URL", "DATABASE_REPLICA_URL", "DATABASE_POOL_SIZE"):
        environment.pop(name, None)
    command = [sys.executable, "manage.py", "restore", str(archive), *(["--force"] if force else [])]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)


def file_cases() -> dict[str, dict[str, bytes]]:
    """Three complaints filed through the intake service, with evidence; tracking code → files."""
    cases = {}
    for index, (confidentiality, files) in enumerate(
        [
            ("terbuka", [("kronologi.pdf", pdf("satu")), ("foto.png", PNG + b"satu")]),
            ("rahasia", [("surat.pdf", pdf("dua"))]),
            ("anonim", [("bukti.pdf", pdf("tiga")), ("bukti2.pdf", pdf("empat")), ("layar.png", PNG)]),
        ]
    ):
        data = valid(confidentiality=confidentiality, phone=f"0812-3456-{index:04d}")
        if confidentiality == "anonim":
            data = {k: v for k, v in data.items() if k not in ("name", "nik", "email", "address")}
            data["notify_channel"] = "none"
        complaint, _pin = complaint_submit(
            channel="web", data=data, files=[upload(name, content) for name, content in files]
        )
        stored = {e.file.name: e.file.open("rb").read() for e in complaint.evidence.all()}
        assert sorted(stored.values()) == sorted(content for _name, content in files)
        cases[complaint.tracking_code] = stored
    return cases


def queue_messages() -> None:
    """Messages still waiting in the outbox (a worker has not sent them yet)."""
    for number in QUEUED:
        Message.objects.create(
            channel="sms", recipient=number, template_key="received", body=f"Pesan untuk {number[-4:]}"
        )


def backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("sigap-backup-*.tar")
    assert "backup written" in out.getvalue() and str(archive) in out.getvalue()
    return archive


def empty(name: str) -> bool:
    with connect(name) as conn:
        return not conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def test_a_backup_restores_every_complaint_evidence_file_and_queued_message(tmp_path, fresh_database):
    cases = file_cases()
    queue_messages()
    queued_before = Message.objects.filter(status=Status.QUEUED).count()
    assert queued_before >= len(QUEUED)

    archive = backup(tmp_path)
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    # The archive holds the dump, every evidence file and the manifest, never the keys.
    assert "database.dump" in names
    evidence = {name: content for files in cases.values() for name, content in files.items()}
    assert {f"media/{name}" for name in evidence} <= set(names)
    assert manifest["counts"]["complaints"] == 3 and manifest["counts"]["evidence"] == 6
    assert manifest["counts"]["messages_queued"] == queued_before
    assert manifest["migrations"]["complaints"] and manifest["created_at"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == dict(
        Evidence.objects.values_list("file", "sha256")
    )
    raw = archive.read_bytes()
    for key in (*settings.SIGAP_DATA_KEYS, settings.SIGAP_INDEX_KEY):
        assert key.encode() not in raw

    media = tmp_path / "restored-evidence"
    result = restore(archive, database=fresh_database, media=media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the restore matches its manifest" in result.stdout
    assert settings.DATABASES["default"]["PASSWORD"] in ("", None) or (
        settings.DATABASES["default"]["PASSWORD"] not in result.stdout + result.stderr
    )

    with connect(fresh_database) as conn:
        codes = {code for (code,) in conn.execute("SELECT tracking_code FROM complaints_complaint")}
        assert codes == set(cases) == set(Complaint.objects.values_list("tracking_code", flat=True))
        rows = dict(conn.execute("SELECT file, sha256 FROM complaints_evidence").fetchall())
        assert set(rows) == set(evidence)
        messages = conn.execute(
            "SELECT recipient, recipient_index FROM notifications_message WHERE status = %s",
            [Status.QUEUED],
        ).fetchall()
    # Every evidence file, byte for byte, in the fresh evidence folder.
    for name, content in evidence.items():
        assert (media / name).read_bytes() == content
    # Every queued message is still queued, and its recipient decrypts (and is found by its index).
    assert len(messages) == queued_before
    recipients = {decrypt(token) for token, _index in messages}
    assert set(QUEUED) <= recipients
    assert all(blind_index(decrypt(token)) == index for token, index in messages)

    # A second restore into the now full database is refused, and changes nothing ...
    again = restore(archive, database=fresh_database, media=media)
    assert again.returncode != 0
    assert "tidak kosong" in again.stderr and "not empty" in again.stderr and "--force" in again.stderr
    # ... unless forced: restored over it, and verified again.
    forced = restore(archive, database=fresh_database, media=media, force=True)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "the restore matches its manifest" in forced.stdout
    with connect(fresh_database) as conn:
        assert conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0] == 3


def test_restore_refuses_a_database_that_holds_tables(tmp_path, postgres):
    file_cases()
    archive = backup(tmp_path)
    before = Complaint.objects.count()
    # The test's own database: it holds Sigap's tables.
    result = restore(archive, database=connection.settings_dict["NAME"], media=tmp_path / "other")
    assert result.returncode != 0
    assert "tidak kosong" in result.stderr and "Nothing was changed" in result.stderr
    assert Complaint.objects.count() == before
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())


def test_an_altered_evidence_file_in_the_archive_fails_verification(tmp_path, fresh_database):
    cases = file_cases()
    archive = backup(tmp_path)
    victim = sorted(name for files in cases.values() for name in files)[0]
    altered = tmp_path / "altered.tar"
    with tarfile.open(archive) as source, tarfile.open(altered, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == f"media/{victim}":
                content = bytes([content[0] ^ 0xFF]) + content[1:]  # same size, other bytes
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))

    result = restore(altered, database=fresh_database, media=tmp_path / "restored-evidence")
    assert result.returncode != 0
    assert victim in result.stderr and "sha256" in result.stderr
    assert "damaged or altered" in result.stderr
    # Refused before anything changed.
    assert empty(fresh_database)
    assert not (tmp_path / "restored-evidence" / victim).exists()


def test_evidence_lost_before_the_backup_is_reported_not_hidden(tmp_path, fresh_database):
    """A file already missing from the store does not stop the backup of the rest: the archive is
    written, the loss is in the manifest and the exit is non-zero; the restore says so too."""
    cases = file_cases()
    lost = sorted(name for files in cases.values() for name in files)[0]
    Path(default_storage.path(lost)).unlink()
    with pytest.raises(CommandError, match="evidence_missing"):
        call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("sigap-backup-*.tar")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["evidence_missing"] == [lost]
    assert len(manifest["files"]) == 5

    media = tmp_path / "restored-evidence"
    result = restore(archive, database=fresh_database, media=media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "already damaged when backed up" in result.stdout and "1 tidak ada / missing" in result.stdout
    assert len([p for p in media.rglob("*") if p.is_file()]) == 5


@pytest.mark.parametrize("variable", ["SIGAP_DATA_KEYS", "SIGAP_INDEX_KEY", "SIGAP_PIN_KEY"])
def test_restore_with_other_keys_fails_clearly(tmp_path, fresh_database, variable):
    file_cases()
    queue_messages()
    archive = backup(tmp_path)
    other = Fernet.generate_key().decode() if variable == "SIGAP_DATA_KEYS" else "another-key-" * 4
    result = restore(archive, database=fresh_database, media=tmp_path / "m", **{variable: other})
    assert result.returncode != 0
    assert variable in result.stderr and "Nothing was changed" in result.stderr
    assert empty(fresh_database)


def test_the_row_sample_finds_rows_no_configured_key_decrypts(settings, postgres):
    """After pg_restore, a sample of every encrypted column is read with the configured keys."""
    from complaints.management.commands.restore import encrypted_sample_problems

    file_cases()
    queue_messages()
    checked, problems = encrypted_sample_problems()
    assert checked and not problems

    keys = list(settings.SIGAP_DATA_KEYS)
    settings.SIGAP_DATA_KEYS = [Fernet.generate_key().decode()]
    _checked, problems = encrypted_sample_problems()
    assert any("notifications_message" in p and "SIGAP_DATA_KEYS" in p for p in problems)
    assert any("complaints_identity" in p for p in problems)

    settings.SIGAP_DATA_KEYS = keys
    settings.SIGAP_INDEX_KEY = "another-index-key-" * 3
    _checked, problems = encrypted_sample_problems()
    assert problems and all("SIGAP_INDEX_KEY" in p for p in problems)
