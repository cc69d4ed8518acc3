"""The referral letter (surat rujukan / surat pelimpahan): what it says, read from the case and its
audit trail.

When a letter exists. A case has one standing referral when its last `refer` step was not undone
by a `return_referral` (the only step that takes a case back from its destination; the
machine has no other way out of `referred` but acceptance or withdrawal), and the case is still on
the referral's path: referred (waiting to be accepted), examination, awaiting_info (a pause inside
the examination: awaiting_info before the referral has no `refer` step behind it), resolved or
closed. A withdrawn case has nothing left for the destination to accept or examine, so no letter
is issued for it, whether it was withdrawn before or after the referral; nor for a rejected or
merged case, which never was referred.

What it never says (UU 37/2008 ps. 24 ayat 2, PO 48/2020 ps. 25 ayat 3): the identity of a
confidential or anonymous complainant, not even to an officer who revealed it a minute ago — a
letter is made to leave the building. Their free-text chronology is passed through
`redact_identity`, so that a name or number the complainant typed into it does not reach the
letter either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaints.identity import identity_read
from complaints.machine import stage_rule
from complaints.models import (
    EXAMINATION_STATES,
    Complaint,
    Confidentiality,
    HandlingUnit,
    Identity,
    State,
    UnitKind,
    User,
)
from complaints.redaction import redact_identity
from complaints.workspace.selectors import complaint_detail_for
from workflow import deadlines as workflow_deadlines
from workflow import engine

# The states a standing referral can be in (see the module docstring).
REFERRAL_PATH = (State.REFERRED, *EXAMINATION_STATES, State.AWAITING_INFO, State.RESOLVED, State.CLOSED)
# The steps that send a case to a handling unit: a report's referral, or anonymous information
# taken up on the institution's own motion.
SENDING_STEPS = ("refer", "take_up_own_motion")
# The audit rows that decide whether a referral stands, and when it was accepted.
REFERRAL_STEPS = (*SENDING_STEPS, "return_referral", "accept_referral")
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class ReferralLetterUnavailable(Exception):
    """This case has no standing referral; the message says why, in the reader's language."""


@dataclass
class ReferralLetter:
    complaint: Complaint
    number: str
    referred_at: datetime.datetime
    referring_unit: HandlingUnit
    referring_officer: User | None
    destination: HandlingUnit
    category: str
    accept_by: datetime.datetime | None
    accept_rule: object | None  # workflow.models.DeadlineRule
    accepted_at: datetime.datetime | None
    requirements: list[tuple[str, str]]
    summary: str
    # Only for an open complaint, and only what the destination needs to reach the complainant.
    identity: dict | None


def standing_referral(logs) -> tuple[object | None, object | None]:
    """The `refer` audit row of the referral that stands (None if none) and the `accept_referral`
    row that accepted it (None if not yet), from the case's audit rows, oldest first."""
    refer = accepted = None
    for log in logs:
        if log.transition in SENDING_STEPS:
            refer, accepted = log, None
        elif log.transition == "return_referral":
            refer = accepted = None
        elif log.transition == "accept_referral" and refer is not None and accepted is None:
            accepted = log
    return refer, accepted


def has_referral_letter(complaint: Complaint, logs) -> bool:
    """For the case page: whether the link to the letter applies (no query: it reads the audit
    rows the page has already loaded)."""
    return complaint.state in REFERRAL_PATH and standing_referral(logs)[0] is not None


def _unavailable_reason(complaint: Complaint, returned: bool) -> str:
    if complaint.state == State.WITHDRAWN:
        return _(
            "Pengaduan ini sudah dicabut: tidak ada rujukan yang berlaku, jadi surat rujukan tidak diterbitkan."
        )
    if complaint.state in (State.REJECTED, State.DUPLICATE):
        return _(
            "Kasus ini berstatus “%(state)s”: tidak ada rujukan yang berlaku, jadi tidak ada surat rujukan."
        ) % {"state": complaint.get_state_display()}
    if returned:
        return _(
            "Rujukan kasus ini dikembalikan ke meja penerimaan. Surat rujukan tersedia lagi setelah "
            "kasus dirujuk kembali."
        )
    return _(
        "Kasus ini belum dirujuk. Surat rujukan tersedia setelah petugas verifikasi melakukan langkah “Rujuk”."
    )


def complaint_for_referral_letter(officer, pk: int) -> Complaint:
    """The case, for an officer who may see it, or for an officer of the intake desk whose referral
    stands: the desk prints the letter it sends, though the case now belongs to the destination.
    Anyone else: 404, as on the case page."""
    try:
        return complaint_detail_for(officer, pk)
    except Http404:
        if officer.unit_id is None:
            raise
    complaint = get_object_or_404(
        Complaint.objects.select_related("category", "agency", "unit", "province", "regency"), pk=pk
    )
    refer, _accepted = standing_referral(engine.history(complaint).filter(transition__in=REFERRAL_STEPS))
    if refer is None or refer.actor_id is None or refer.actor.unit_id != officer.unit_id:
        raise Http404
    return complaint


def referral_letter_for(officer, complaint: Complaint) -> ReferralLetter:
    """The letter for a case this officer may see (the caller checked that with
    complaint_detail_for). Raises ReferralLetterUnavailable when no referral stands.

    For an open complaint the identity is read with identity_read, which logs the read exactly as
    the case page does; for a confidential or anonymous one identity_read is never called (the
    letter never shows it, so opening the letter is no reveal and logs none).
    """
    logs = list(engine.history(complaint).filter(transition__in=REFERRAL_STEPS).select_related("actor__unit"))
    refer, accepted = standing_referral(logs)
    if refer is None or complaint.state not in REFERRAL_PATH:
        returned = any(log.transition == "return_referral" for log in logs)
        raise ReferralLetterUnavailable(_unavailable_reason(complaint, returned))

    # 1. Who refers: the intake desk of the officer who took the step; an administrator has none
    # of their own, and then the letter comes from the desk the case was at (its province's).
    actor = refer.actor
    if actor is not None and actor.unit is not None and actor.unit.kind == UnitKind.INTAKE:
        referring_unit = actor.unit
    else:
        referring_unit = HandlingUnit.objects.intake_desk_for(complaint.province_id)

    # 2. The deadline for the destination to accept: the running clock while the case waits for
    # it; once accepted (or later) the date it had, counted again from the referral.
    rule = stage_rule(complaint, State.REFERRED)  # an urgent case's shorter one included
    if complaint.state == State.REFERRED:
        accept_by = complaint.due_at
    else:
        accept_by = workflow_deadlines.due_at(rule, refer.created_at)

    referred_at = refer.created_at
    local = timezone.localtime(referred_at)
    number = f"{refer.pk}/SR/{referring_unit.code.upper()}/{ROMAN_MONTHS[local.month - 1]}/{local.year}"

    identity = None
    summary = complaint.description
    if complaint.confidentiality == Confidentiality.OPEN:
        full = identity_read(officer, complaint)
        if full is not None:
            # Data minimisation (UU 27/2022): the destination needs to know who complains and how
            # to reach them; NIK, address and NIP stay on the case page.
            identity = {key: full[key] for key in ("name", "phone", "email")}
    else:
        summary = redact_identity(
            summary,
            Identity.objects.filter(complaint=complaint).select_related("own_agency").first(),
            keep=complaint.agency.name if complaint.agency_id else complaint.agency_name,
        )

    return ReferralLetter(
        complaint=complaint,
        number=number,
        referred_at=referred_at,
        referring_unit=referring_unit,
        referring_officer=actor,
        destination=complaint.unit,
        category=complaint.category.label(get_language() or "id") if complaint.category else "",
        accept_by=accept_by,
        accept_rule=rule,
        accepted_at=accepted.created_at if accepted else None,
        requirements=_requirements(complaint),
        summary=summary,
        identity=identity,
    )


def _requirements(complaint: Complaint) -> list[tuple[str, str]]:
    """The formal requirements (UU 37/2008 ps. 24) as the referral recorded them."""

    def said(value) -> str:
        if value is None:
            return _("belum diperiksa")
        return _("terpenuhi") if value else _("tidak terpenuhi")

    identity = (
        _("tidak berlaku (pengaduan anonim)") if complaint.is_anonymous else said(complaint.req_identity)
    )
    return [
        (_("Identitas pelapor jelas"), identity),
        (_("Uraian kronologi jelas"), said(complaint.req_chronology)),
        (_("Pelapor sudah mengadu ke instansi terlapor"), said(complaint.req_agency_first)),
        (_("Peristiwa belum lewat 2 tahun"), said(complaint.req_within_two_years)),
    ]
