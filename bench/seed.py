"""Seed a PostgreSQL database with N realistic complaints, set-based (INSERT … SELECT generate_series).

Spread over all 514 kabupaten/kota (and so the 38 provinces), the national agencies and every
regency government, both kinds with matching categories, every state with plausible ages and
deadlines (a share overdue), channels and confidentiality; each with its identity (unless
anonymous), two audit rows and one outbox message.

    python bench/seed.py --complaints 1000000 [--database-url postgres://root@127.0.0.1:5432/sigap_bench]

The database (its name must start with sigap_bench) is dropped and re-created first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def fresh_database(database_url: str) -> None:
    """Drop and re-create the benchmark's own database, so its schema is the code's of today.

    Refuses the databases other people work in: only a name starting with "sigap_bench".
    """
    url = urllib.parse.urlparse(database_url)
    name = url.path.lstrip("/")
    if not name.startswith("sigap_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name starts with sigap_bench")
    where = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        where += ["-U", url.username]
    subprocess.run(["dropdb", "--if-exists", "--force", *where, name], check=True)  # noqa: S603, S607
    subprocess.run(["createdb", *where, name], check=True)  # noqa: S603, S607


# g % 40 → state: a queue that looks like a real office's (most cases in examination or closed),
# every stage of both routes present.
STATES = (
    ["submitted"] * 3
    + ["verifying"] * 4
    + ["material_verification"] * 2
    + ["awaiting_info"] * 2
    + ["referred"] * 4
    + ["examination"] * 6
    + ["clarification"] * 2
    + ["investigation", "mediation", "corrective_action", "recommendation"]
    + ["resolved"] * 2
    + ["closed"] * 7
    + ["rejected"] * 2
    + ["withdrawn", "duplicate"]
)
AT_INTAKE = {
    "submitted",
    "verifying",
    "material_verification",
    "awaiting_info",
    "rejected",
    "withdrawn",
    "duplicate",
}
OPEN = {
    "submitted", "verifying", "material_verification", "awaiting_info", "referred", "examination", "clarification",
    "investigation", "mediation", "corrective_action", "recommendation", "resolved",
}  # fmt: skip

SQL_COMPLAINTS = """
WITH reg AS (SELECT array_agg(code ORDER BY code) AS codes, array_agg(province_id ORDER BY code) AS provs
             FROM complaints_regency),
     st AS (SELECT %(states)s::text[] AS states),
     cat AS (SELECT array_agg(id ORDER BY id) FILTER (WHERE kind = 'maladministrasi') AS mal,
                    array_agg(id ORDER BY id) FILTER (WHERE kind = 'ham') AS ham FROM complaints_category),
     ag AS (SELECT array_agg(id ORDER BY id) AS ids FROM complaints_agency),
     src AS (
       SELECT g,
              reg.codes[1 + (g * 7919) %% array_length(reg.codes, 1)] AS regency,
              reg.provs[1 + (g * 7919) %% array_length(reg.codes, 1)] AS province,
              st.states[1 + g %% 40] AS state,
              CASE WHEN g %% 3 = 0 THEN 'ham' ELSE 'maladministrasi' END AS kind,
              now() - make_interval(days => ((g * 31) %% 720)::int, secs => ((g * 13) %% 86400)::int) AS created,
              cat.mal AS mal, cat.ham AS hamc, ag.ids AS agencies
       FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g, reg, st, cat, ag
     ),
     -- A steady state, as after years of five-minute sweeps: a fifth of the cases at work are past
     -- their deadline and already flagged; information requests and objection windows that ran
     -- out were already expired or closed, so theirs lie ahead. bench/run.py then makes a known
     -- number come due and times the sweep over the whole table.
     dated AS (
       SELECT src.*,
              CASE WHEN state IN ('awaiting_info', 'resolved')
                     THEN now() + make_interval(days => (1 + g %% 14)::int, secs => (g %% 3600)::int)
                   WHEN state = ANY(%(open)s::text[])
                     THEN now() + make_interval(days => ((g %% 40) - 8)::int, secs => (g %% 3600)::int)
              END AS due
       FROM src
     )
INSERT INTO complaints_complaint (
  tracking_code, pin_hash, state, kind, category_id, agency_id, agency_name, province_id, regency_id, location,
  incident_date, description, complained_to_agency_first, desired_outcome, reporter_type, confidentiality, channel,
  language, notify_channel, consent_pdp_at, unit_id, assignee_id, state_changed_at, due_at, resume_state,
  paused_remaining, info_requested, overdue_flagged_at, req_identity, req_chronology, req_agency_first,
  req_within_two_years, rejection_reason, suggested_body, outcome, public_summary, resolved_at, duplicate_of_id,
  sealed_text, created_at, updated_at, consent_method, idempotency_key, own_motion, finding, corrective_action,
  corrective_action_result, recommendation, recommendation_result, urgent, urgency_source, urgency_reasons,
  urgency_note)
SELECT 'B' || upper(lpad(to_hex(g), 7, '0')), md5(g::text) || md5((g + 1)::text), state, kind,
       CASE WHEN kind = 'ham' THEN hamc[1 + g %% array_length(hamc, 1)] ELSE mal[1 + g %% array_length(mal, 1)] END,
       agencies[1 + (g * 104729) %% array_length(agencies, 1)], '', province, regency, 'Kantor layanan',
       (created - interval '10 days')::date,
       'Laporan nomor ' || g || ': layanan tertunda berbulan-bulan tanpa penjelasan dari petugas.',
       g %% 4 <> 0, 'Layanan segera diberikan.',
       CASE WHEN g %% 11 = 0 THEN 'asn' ELSE 'warga' END,
       CASE WHEN g %% 10 = 0 THEN 'anonim' WHEN g %% 11 = 0 OR g %% 4 = 1 THEN 'rahasia' ELSE 'terbuka' END,
       (ARRAY['web','web','web','api','sms','whatsapp'])[1 + g %% 6], 'id',
       CASE WHEN g %% 10 = 0 THEN 'none' WHEN g %% 2 = 0 THEN 'whatsapp' ELSE 'sms' END,
       created,
       CASE WHEN state = ANY(%(intake)s::text[]) THEN (SELECT id FROM complaints_handlingunit u WHERE u.kind = 'intake' AND u.province_id = province)
            WHEN kind = 'ham' THEN (SELECT id FROM complaints_handlingunit u WHERE u.kind = 'kanwil_ham' AND u.province_id = province)
            ELSE (SELECT id FROM complaints_handlingunit u WHERE u.kind = 'ombudsman' AND u.province_id = province) END,
       NULL, created,
       due, CASE WHEN state = 'awaiting_info' THEN 'verifying' ELSE '' END, NULL,
       CASE WHEN state = 'awaiting_info' THEN 'Mohon kirim fotokopi KTP.' ELSE '' END,
       CASE WHEN due < now() THEN least(due + interval '5 minutes', now()) END,
       NULL, NULL, NULL, NULL, CASE WHEN state = 'rejected' THEN 'bukan_kewenangan' ELSE '' END,
       CASE WHEN state = 'rejected' THEN 'Komisi Informasi' ELSE '' END,
       CASE WHEN state IN ('resolved', 'closed') THEN 'mediasi' ELSE '' END,
       CASE WHEN state IN ('resolved', 'closed') THEN 'Diselesaikan melalui mediasi.' ELSE '' END,
       CASE WHEN state IN ('resolved', 'closed') THEN created + interval '40 days' END, NULL, '', created, created,
       '', '', false, '', '', '', '', '',
       -- One case in fifty is urgent (mendesak), as the complainant said at filing.
       g %% 50 = 0, CASE WHEN g %% 50 = 0 THEN 'complainant' ELSE '' END, '[]'::jsonb, ''
FROM dated
"""

# Identities are encrypted at rest (notifications/personal.py): encrypting 900,000 of them in
# Python would cost minutes, so they cycle through a pool of IDENTITY_POOL encrypted ones.
IDENTITY_POOL = 1000
SQL_IDENTITY_POOL = """
CREATE TEMPORARY TABLE bench_identity_pool (k int PRIMARY KEY, name text, nik text, phone text,
  phone_index text, address text, name_index text, nik_index text)
"""
SQL_IDENTITIES = """
INSERT INTO complaints_identity (complaint_id, name, nik, phone, phone_index, email, address, nip, own_agency_name,
  own_agency_id, name_index, nik_index)
SELECT c.id, p.name, p.nik, p.phone, p.phone_index, '', p.address, '', '', NULL, p.name_index, p.nik_index
FROM complaints_complaint c JOIN bench_identity_pool p ON p.k = c.id %% {pool}
WHERE c.confidentiality <> 'anonim' AND c.id BETWEEN %(lo)s AND %(hi)s
""".replace("{pool}", str(IDENTITY_POOL))


def identity_pool() -> list[tuple]:
    from complaints.models import normalise_name
    from notifications.personal import blind_index, encrypt

    rows = []
    for k in range(IDENTITY_POOL):
        phone, name, nik = f"+62812{k:08d}", f"Pelapor {k}", f"{3171000000000000 + k:016d}"
        rows.append(
            (k, encrypt(name), encrypt(nik), encrypt(phone), blind_index(phone), encrypt(f"Jl. Contoh {k}"),
             blind_index(normalise_name(name)), blind_index(nik))
        )  # fmt: skip
    return rows


SQL_AUDIT = """
INSERT INTO workflow_transitionlog (content_type_id, object_id, transition, source, target, actor_id, actor_kind, via, note, fields, created_at)
SELECT %(ct)s, id, 'submit', '', 'submitted', NULL::bigint, 'complainant', channel, '', '{}'::jsonb, created_at
FROM complaints_complaint WHERE id BETWEEN %(lo)s AND %(hi)s
UNION ALL
SELECT %(ct)s, id, 'start_verification', 'submitted', state, NULL::bigint, 'officer', 'web', '', '{}'::jsonb, created_at + interval '2 days'
FROM complaints_complaint WHERE state <> 'submitted' AND id BETWEEN %(lo)s AND %(hi)s
"""

SQL_MESSAGES = """
INSERT INTO notifications_message (channel, recipient, recipient_index, language, template_key, body, sensitive,
  content_sid, content_variables,
  reference, status, twilio_sid, attempts, last_error, error_code, next_attempt_at, created_at, updated_at, sent_at, delivered_at)
SELECT c.notify_channel, i.phone, i.phone_index, 'id', 'received', %(body)s, false, '', '{}', 'complaint:' || c.id,
       'delivered', 'SMB' || c.id, 1, '', '', c.created_at, c.created_at, c.created_at, c.created_at, c.created_at
FROM complaints_complaint c JOIN complaints_identity i ON i.complaint_id = c.id
WHERE c.notify_channel <> 'none' AND c.id BETWEEN %(lo)s AND %(hi)s
"""


def seed(count: int, *, batch: int = 250_000, log=print) -> dict:
    """Insert ``count`` complaints and their rows into a freshly migrated, empty database."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction

    from complaints.models import Complaint
    from notifications.personal import encrypt

    if connection.vendor != "postgresql":
        raise SystemExit("bench/seed.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings = {"migrate_s": time.perf_counter() - started}
    started = time.perf_counter()
    ct = ContentType.objects.get_for_model(Complaint).pk
    message_body = encrypt("Sigap: pengaduan diterima.")  # texts are encrypted at rest as well
    with connection.cursor() as cursor:
        cursor.execute(SQL_IDENTITY_POOL)
        cursor.executemany(
            "INSERT INTO bench_identity_pool VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", identity_pool()
        )
    for start in range(1, count + 1, batch):
        stop = min(start + batch - 1, count)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM complaints_complaint")
            lo = cursor.fetchone()[0] + 1
            cursor.execute(
                SQL_COMPLAINTS,
                {
                    "states": STATES,
                    "start": start,
                    "stop": stop,
                    "intake": list(AT_INTAKE),
                    "open": list(OPEN),
                },
            )
            cursor.execute("SELECT coalesce(max(id), 0) FROM complaints_complaint")
            hi = cursor.fetchone()[0]
            cursor.execute(SQL_IDENTITIES, {"lo": lo, "hi": hi})
            cursor.execute(SQL_AUDIT, {"ct": ct, "lo": lo, "hi": hi})
            cursor.execute(SQL_MESSAGES, {"lo": lo, "hi": hi, "body": message_body})
        log(f"  seeded {stop:,} complaints ({time.perf_counter() - started:.1f} s)")
    timings["insert_s"] = time.perf_counter() - started
    analyze = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["analyze_s"] = time.perf_counter() - analyze
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM complaints_complaint), (SELECT count(*) FROM complaints_identity), "
            "(SELECT count(*) FROM workflow_transitionlog), (SELECT count(*) FROM notifications_message)"
        )
        rows = cursor.fetchone()
    timings.update(dict(zip(["complaints", "identities", "audit_rows", "messages"], rows, strict=True)))
    timings["total_s"] = timings["insert_s"] + timings["analyze_s"]
    return timings


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/sigap_bench"),
    )
    args = parser.parse_args()
    fresh_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    print(seed(args.complaints))
