"""CSV export of an officer's (filtered) queue, streamed row by row.

Identity columns are filled only where this officer may see the identity: an open complaint, or
a confidential one this officer has revealed (IdentityReveal). Anonymous complaints have none.
Every cell that a spreadsheet would read as a formula is defused (CSV/formula injection).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.identity import EXPORT_REASON, HANDLING_ROLES, NOT_REVEALS, REVEAL_LASTS
from complaints.models import Complaint, Confidentiality, IdentityReveal

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# A cell starting with one of these is run as a formula by Excel/LibreOffice/Sheets (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would treat it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def export_header() -> list[str]:
    return [
        _("Kode lacak"),
        _("Status"),
        _("Jenis"),
        _("Kategori"),
        _("Instansi terlapor"),
        _("Provinsi"),
        _("Kabupaten/kota"),
        _("Unit"),
        _("Petugas"),
        _("Kanal"),
        _("Kerahasiaan"),
        _("Kelompok rentan"),
        _("Diterima"),
        _("Tenggat"),
        _("Terlambat"),
        _("Nama pelapor"),
        _("Telepon pelapor"),
        _("Email pelapor"),
    ]


def export_queryset(*, officer, complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The rows with everything a line needs, in a fixed number of queries per chunk."""
    return (
        complaints.select_related("category", "agency", "province", "regency", "unit", "assignee", "identity")
        .prefetch_related("vulnerable_groups")
        .annotate(
            # The same rule as the case page (complaints.identity): a reveal lasts 30 minutes,
            # and only officers who handle cases (not administrators) ever see identities.
            revealed_to_me=Exists(
                IdentityReveal.objects.filter(
                    complaint=OuterRef("pk"),
                    officer_id=officer.pk,
                    created_at__gte=timezone.now() - REVEAL_LASTS,
                ).exclude(reason__in=NOT_REVEALS)
            )
            if officer.role in HANDLING_ROLES
            else Value(False),
            handled_by_me=Value(officer.role in HANDLING_ROLES),
        )
    )


def identity_visible_in_export(complaint: Complaint) -> bool:
    """Open: yes. Confidential: only once this officer revealed it (annotated). Anonymous: never."""
    if not getattr(complaint, "handled_by_me", False):
        return False
    if complaint.confidentiality == Confidentiality.OPEN:
        return True
    if complaint.confidentiality == Confidentiality.CONFIDENTIAL:
        return bool(getattr(complaint, "revealed_to_me", False))
    return False


def export_row(complaint: Complaint, *, now: datetime) -> list[str]:
    identity = getattr(complaint, "identity", None) if identity_visible_in_export(complaint) else None
    assignee = complaint.assignee
    row = [
        complaint.tracking_code,
        complaint.get_state_display(),
        complaint.get_kind_display(),
        complaint.category.name_id if complaint.category else "",
        complaint.agency.name if complaint.agency else complaint.agency_name,
        complaint.province.name,
        complaint.regency.name if complaint.regency else "",
        complaint.unit.name,
        (assignee.get_full_name() or assignee.get_username()) if assignee else "",
        complaint.get_channel_display(),
        complaint.get_confidentiality_display(),
        "; ".join(group.name_id for group in complaint.vulnerable_groups.all()),
        _when(complaint.created_at),
        _when(complaint.due_at),
        _("ya") if complaint.due_at and complaint.due_at < now else _("tidak"),
        identity.name if identity else "",
        identity.phone if identity else "",
        identity.email if identity else "",
    ]
    return [csv_safe(cell) for cell in row]


class _Line:
    """A file-like object whose write() hands back the line csv.writer produced."""

    def write(self, value: str) -> str:
        return value


def _log_reads(officer, complaint_ids: list[int]) -> None:
    IdentityReveal.objects.bulk_create(
        [IdentityReveal(complaint_id=pk, officer=officer, reason=EXPORT_REASON) for pk in complaint_ids]
    )


def _logged_then_written(officer, writer, chunk: list[list[str]], read: list[int]) -> Iterator[str]:
    """The reads are logged before their lines leave: a download aborted half-way has its reads
    on record all the same."""
    _log_reads(officer, read)
    for row in chunk:
        yield writer.writerow(row)


def complaint_export_lines(*, officer, complaints: QuerySet[Complaint]) -> Iterator[str]:
    """CSV text, one line at a time, read from the database in chunks (memory stays flat)."""
    writer = csv.writer(_Line())
    now = timezone.now()
    # A byte-order mark so Excel opens UTF-8 names (ñ, é, Arabic-script names) correctly.
    yield "\ufeff" + writer.writerow(export_header())
    # Every page of a unit's queue: from the replica when there is one (settings); the reads it
    # logs go to the primary.
    rows: Iterable[Complaint] = (
        export_queryset(officer=officer, complaints=complaints)
        .using(settings.SIGAP_REPORTING_DATABASE)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    count = 0
    chunk: list[list[str]] = []
    read: list[int] = []
    for complaint in rows:
        row = export_row(complaint, now=now)
        chunk.append(row)
        if row[-3]:  # a name goes out: log the read, as the case page does (UU 27/2022)
            read.append(complaint.pk)
        if len(chunk) >= CHUNK_SIZE:
            count += len(chunk)
            yield from _logged_then_written(officer, writer, chunk, read)
            chunk, read = [], []
    count += len(chunk)
    yield from _logged_then_written(officer, writer, chunk, read)
    # Who exported how much: the export can carry identities (PDP: reads of personal data are logged).
    logger.info("export: %s exported %d complaints", officer.get_username(), count)
