"""What a complainant does to their own case: the steps the machine gives them, with evidence."""

from __future__ import annotations

import hmac

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import codes, messaging
from complaints.intake.services import atomic_with_evidence, evidence_record
from complaints.machine import COMPLAINANT_STEPS
from complaints.models import (
    CaseMessage,
    Channel,
    Complaint,
    Confidentiality,
    DataRequest,
    Identity,
    NotifyChannel,
)
from complaints.public.tracking import (
    NEW_PINS_PER_DAY,
    PinRecoveryRequests,
    new_pin_counted,
    new_pins_today,
)
from complaints.redaction import seal
from complaints.sanitize import clean_text
from notifications.contacts import e164, parse_phone, within_whatsapp_window
from notifications.personal import blind_index
from workflow import engine
from workflow.engine import Actor

# The steps a complainant may take from the tracking page, the API and SMS/WhatsApp.
COMPLAINANT_ACTIONS = COMPLAINANT_STEPS


def complainant_act(
    *,
    complaint: Complaint,
    name: str,
    via: str,
    message: str = "",
    files=(),
    expected_state: str | None = None,
):
    """A complainant's step (provide_info, object, withdraw) with any evidence that comes with it.

    The evidence rows and the step commit together or not at all (intake's atomic_with_evidence).
    A confidential or anonymous complainant's message goes into the thread and the audit trail
    with the identifiers in it masked; their own words are kept encrypted (redaction.seal).
    """
    original = ""
    if message and complaint.confidentiality != Confidentiality.OPEN:
        masked, sealed = seal({"message": message}, Identity.objects.filter(complaint=complaint).first())
        if sealed:
            original, message = message, masked["message"]
    with atomic_with_evidence(files) as stored:
        log = engine.perform(
            complaint,
            name,
            actor=Actor.complainant(),
            via=via,
            expected_state=expected_state,
            message=message,
        )
        if original:
            # The thread message the machine's hook wrote for this step, in this transaction.
            written = complaint.messages.filter(kind=CaseMessage.Kind.FROM_COMPLAINANT).latest("id")
            CaseMessage.objects.filter(pk=written.pk).update(sealed_body=original)
        evidence_record(complaint, channel=via, stored=stored)
    return log


# --- requests about one's personal data (UU 27/2022 PDP, docs/domain.md#personal-data) ------------
DATA_REQUEST_MAX_LENGTH = 5000
# Open requests one case may hold at once: enough for any real need, not enough to flood a queue.
DATA_REQUEST_MAX_OPEN = 5


@transaction.atomic
def data_request_create(*, complaint: Complaint, kind: str, text: str) -> DataRequest:
    """A correction, restriction or erasure request from the complainant of this case, due 3×24
    hours from now on the queue of the unit that sees the case. The text is kept encrypted and
    goes nowhere else: not into the thread, not into the audit trail, not into any message.

    ValidationError (by field, in the active language) for an unknown kind, an empty or too long
    text, or too many requests still open; nothing is created then."""
    errors: dict[str, list[str]] = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = [_("Pilih jenis permintaan: perbaikan, pembatasan pemrosesan, atau penghapusan.")]
    text = clean_text(text).strip()
    if not text:
        errors["text"] = [_("Tuliskan permintaan Anda: data mana dan apa yang Anda minta.")]
    elif len(text) > DATA_REQUEST_MAX_LENGTH:
        errors["text"] = [
            _("Permintaan terlalu panjang (paling banyak %(limit)d karakter).")
            % {"limit": DATA_REQUEST_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    # The case's row is the lock: two requests sent at once count each other.
    Complaint.objects.select_for_update().filter(pk=complaint.pk).exists()
    if complaint.data_requests.filter(state=DataRequest.Status.OPEN).count() >= DATA_REQUEST_MAX_OPEN:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "Anda sudah memiliki %(limit)d permintaan yang belum dijawab. "
                        "Tunggu jawabannya sebelum mengajukan yang baru."
                    )
                    % {"limit": DATA_REQUEST_MAX_OPEN}
                ]
            }
        )
    return DataRequest.objects.create(complaint=complaint, kind=kind, text=text)


# --- a new PIN (docs/domain.md#pin-recovery) ------------------------------------------------------
def pin_replace(
    complaint: Complaint, *, actor: Actor, via: str, fields: dict | None = None, note: str = ""
) -> str:
    """A new PIN for the case, returned once: its hash replaces the old one at once, so the old PIN
    stops working on every path (the web, the API, CEK by SMS/WhatsApp; a tracking session it opened
    ends at its next page). Recorded in the case's audit trail as "pin_reissued" with ``fields``
    (where it went, never the PIN) and ``note``. In the caller's transaction."""
    pin = codes.new_pin()
    complaint.pin_hash = codes.hash_pin(pin)
    Complaint.objects.filter(pk=complaint.pk).update(pin_hash=complaint.pin_hash)
    engine.record_event(complaint, "pin_reissued", actor=actor, via=via, fields=fields or {}, note=note)
    return pin


def pin_recover(*, code: str, contact: str, client_key: str) -> None:
    """/lacak/pin-baru/: when ``contact`` is the phone number or the email on file for the case with
    this code, a new PIN replaces the old one and goes there (by SMS, or WhatsApp within its
    24-hour window when the complainant chose WhatsApp; or by email), never to the page. Returns
    nothing: the page answers the same whether or not anything matched, so it tells nobody which
    codes, numbers or emails exist. RecoveryLocked when this client asked too often (every request
    counts); a case past its NEW_PINS_PER_DAY gets nothing more that day, silently."""
    code = codes.normalise_code(code)
    requests = PinRecoveryRequests(code, client_key)
    requests.check()
    requests.count()
    complaint = Complaint.objects.filter(tracking_code=code).first() if code else None
    destination = _contact_on_file(complaint, contact) if complaint is not None else None
    if destination is None:
        return
    channel, recipient = destination
    with transaction.atomic():
        # The case's row is the lock: two requests at once count each other against the day's limit.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if new_pins_today(locked) >= NEW_PINS_PER_DAY:
            return
        pin = pin_replace(locked, actor=Actor.complainant(), via=Channel.WEB, fields={"sent_to": channel})
        messaging.enqueue_new_pin(locked, pin=pin, channel=channel, recipient=recipient)
        new_pin_counted(locked)


class NewPinsExhausted(Exception):
    """This case has had its NEW_PINS_PER_DAY new PINs today."""

    def __init__(self, complaint: Complaint):
        super().__init__(complaint.tracking_code)
        self.complaint = complaint


def pin_recover_by_text(*, code: str, phone: str, channel: str) -> tuple[Complaint, str] | None:
    """PIN <kode> by SMS or WhatsApp: from the number the case was filed with, a new PIN replaces
    the old one; returns the case and the PIN, which go back only as the reply to that message.
    None when the code is unknown or the case was not filed from this number (the same answer for
    both). RecoveryLocked when this number asked too often; NewPinsExhausted past the day's limit
    (the sender owns the case: telling them is no leak)."""
    code = codes.normalise_code(code)
    requests = PinRecoveryRequests(code, f"phone:{phone}")
    requests.check()
    requests.count()
    complaint = Complaint.objects.filter(tracking_code=code).first() if code else None
    if complaint is None or _contact_on_file(complaint, phone, channel=channel) is None:
        return None
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if new_pins_today(locked) >= NEW_PINS_PER_DAY:
            raise NewPinsExhausted(locked)
        pin = pin_replace(locked, actor=Actor.complainant(), via=channel, fields={"sent_to": channel})
        new_pin_counted(locked)
    return locked, pin


def _contact_on_file(complaint: Complaint, contact: str, *, channel: str = "") -> tuple[str, str] | None:
    """(channel, address) to send a new PIN to when ``contact`` is the case's phone number (by the
    blind index of its E.164 form) or email (trimmed, in any case); None otherwise, and always for
    an anonymous case or one whose personal data was erased (no identity)."""
    identity = Identity.objects.filter(complaint=complaint).first()
    contact = (contact or "").strip()
    if identity is None or not contact:
        return None
    if "@" in contact:
        email = (identity.email or "").strip().casefold()
        if email and hmac.compare_digest(email.encode(), contact.casefold().encode()):
            return "email", identity.email
        return None
    number = parse_phone(contact)
    if number is None or not identity.phone_index:
        return None
    if not hmac.compare_digest(blind_index(e164(number)), identity.phone_index):
        return None
    if not channel:
        # WhatsApp carries free text only within 24 hours of the person's last message; outside
        # it only an approved template, which cannot hold a PIN: then by SMS.
        whatsapp = complaint.notify_channel == NotifyChannel.WHATSAPP
        whatsapp = whatsapp and within_whatsapp_window(identity.phone)
        channel = Channel.WHATSAPP.value if whatsapp else Channel.SMS.value
    return channel, identity.phone
