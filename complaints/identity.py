"""Who may read a complainant's identity, and the log of every read (UU 27/2022 PDP).

- Anonymous reports have no identity.
- Open (terbuka) reports: officers who handle the case read it; each read is logged.
- Confidential (rahasia) reports: hidden everywhere until an officer handling the case reveals
  it with a reason; the reveal is logged and lasts 30 minutes for that officer.
"Handling" means an intake officer, case officer or supervisor whose unit sees the case. An
administrator manages accounts and reference data, not cases: they see the access log, never
the identity (least privilege; an administrator can give themselves a unit and role if needed).

The access log is one table, IdentityReveal: an explicit reveal stores the officer's reason; a
read of an open complaint's identity stores READ_REASON, at most once per officer, case and 30
minutes (a page reloaded all day would otherwise bury the reveals that matter).
The reported agency sees no page, list or export of Sigap at all; referral goes to Ombudsman
offices and Kanwil, and anything printed for an agency leaves a confidential identity out.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import CaseMessage, Complaint, Confidentiality, Identity, IdentityReveal, Role
from complaints.permissions import complaints_visible_to
from complaints.redaction import unseal

HANDLING_ROLES = (Role.INTAKE_OFFICER, Role.CASE_OFFICER, Role.SUPERVISOR)
REVEAL_LASTS = datetime.timedelta(minutes=30)
READ_REASON = "dibaca (pengaduan terbuka)"
EXPORT_REASON = "diekspor (CSV)"
# Reads that are logged but are not a reveal: they never open a confidential identity.
NOT_REVEALS = (READ_REASON, EXPORT_REASON)


def handles(user, complaint: Complaint) -> bool:
    if not user.is_authenticated or user.role not in HANDLING_ROLES:
        return False
    return complaints_visible_to(user).filter(pk=complaint.pk).exists()


def _recent_reveal(user, complaint: Complaint, *, reason: str | None = None) -> bool:
    since = timezone.now() - REVEAL_LASTS
    reveals = IdentityReveal.objects.filter(complaint=complaint, officer=user, created_at__gte=since)
    if reason is not None:
        reveals = reveals.filter(reason=reason)
    else:
        reveals = reveals.exclude(reason__in=NOT_REVEALS)
    return reveals.exists()


def can_see_identity(user, complaint: Complaint) -> bool:
    if complaint.is_anonymous or not handles(user, complaint):
        return False
    if complaint.is_confidential:
        return _recent_reveal(user, complaint)
    return True


def needs_reveal(user, complaint: Complaint) -> bool:
    """The officer handles this confidential case and has not revealed it in the last 30 minutes."""
    return complaint.is_confidential and handles(user, complaint) and not _recent_reveal(user, complaint)


def identity_reveal(*, user, complaint: Complaint, reason: str) -> IdentityReveal:
    if complaint.is_anonymous or not handles(user, complaint):
        raise PermissionError
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(str(_("Tuliskan alasan membuka identitas.")))
    return IdentityReveal.objects.create(complaint=complaint, officer=user, reason=reason[:300])


def identity_read(user, complaint: Complaint) -> dict | None:
    """The identity as this officer may see it (None if not), logging the read."""
    if not can_see_identity(user, complaint):
        return None
    identity = Identity.objects.filter(complaint=complaint).select_related("own_agency").first()
    if identity is None:
        return None
    if not complaint.is_confidential and not _recent_reveal(user, complaint, reason=READ_REASON):
        IdentityReveal.objects.create(complaint=complaint, officer=user, reason=READ_REASON)
    return {**identity_fields(identity), **_original_text(complaint)}


def identity_fields(identity: Identity) -> dict:
    """The complainant's identity as a page or a copy shows it, for the reader identity_read
    allowed, or for the complainant themselves (complaints/public/selectors.py)."""
    return {
        "name": identity.name,
        "nik": identity.nik,
        "phone": identity.phone,
        "email": identity.email,
        "address": identity.address,
        "nip": identity.nip,
        "own_agency": identity.own_agency.name if identity.own_agency_id else identity.own_agency_name,
    }


def _original_text(complaint: Complaint) -> dict:
    """What the complainant typed where identifiers were masked (redaction.seal): read only with
    the identity, under the same logged read."""
    if complaint.confidentiality == Confidentiality.OPEN:
        return {}  # an open complaint's text is kept as typed: nothing was sealed
    sealed = complaint.sealed_text
    messages = [
        {"id": pk, "created_at": created_at, "body": body}
        for pk, created_at, body in CaseMessage.objects.filter(complaint=complaint)
        .exclude(sealed_body="")
        .values_list("id", "created_at", "sealed_body")
    ]
    return {"original_text": unseal(sealed), "original_messages": messages}
