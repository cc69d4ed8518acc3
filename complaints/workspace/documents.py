"""The documents officers attach to a case: Evidence rows with ``uploaded_by`` set (a letter received
at the desk, a clarification letter, the agency's answer, a report, a recommendation), listed on the
case page apart from the complainant's own evidence (docs/domain.md#documents).

The kinds are the core's list (complaints.models.DocumentKind), which the steps that need a
document check for; a plain list of choices, not a model field's choices, so adding a kind needs no
migration.
"""

from __future__ import annotations

from complaints.models import DocumentKind

DOCUMENT_KINDS: tuple[tuple[str, str], ...] = tuple(DocumentKind.CHOICES)
# What the desk files the documents it received with a complaint as (/petugas/lapor/).
DESK_DOCUMENT_KIND = DocumentKind.RECEIVED_LETTER
TITLE_MAX_LENGTH = 200


def document_kind_label(value: str) -> str:
    """A kind as people read it; a value no longer in the list shows as itself."""
    return str(dict(DOCUMENT_KINDS).get(value, value))


def split_evidence(rows) -> tuple[list, list]:
    """A case's Evidence rows as (the complainant's evidence, the officers' documents), each with
    ``kind_label`` for the documents."""
    evidence, documents = [], []
    for row in rows:
        if row.uploaded_by_id is None:
            evidence.append(row)
        else:
            row.kind_label = document_kind_label(row.document_kind)
            documents.append(row)
    return evidence, documents
