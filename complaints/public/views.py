"""Public pages: landing, the complaint form, tracking. They work without JavaScript."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from complaints import codes, reference
from complaints.intake.forms import WebIntakeForm, new_submission_token, submission_nonce, validate_evidence
from complaints.intake.selectors import intake_form_context
from complaints.intake.services import (
    AlreadyFiled,
    complaint_create,
    complaint_filed_with,
    idempotency_key_for,
    replay_forget,
)
from complaints.limits import SlidingCount, client_address, filing_client, sliding_counts
from complaints.models import CaseMessage, Complaint, DataRequest
from complaints.permissions import is_officer
from complaints.public import receipts
from complaints.public.selectors import merged_case_for, personal_data_for, state_explanation
from complaints.public.services import (
    COMPLAINANT_ACTIONS,
    complainant_act,
    data_request_create,
    pin_recover,
)
from complaints.public.tracking import (
    RecoveryLocked,
    TrackingLocked,
    complaint_for_tracking,
    public_timeline,
)
from complaints.sanitize import clean_text
from workflow import engine
from workflow.engine import Actor

TRACKED_SESSION_KEY = "sigap_tracked"
FILED_SESSION_KEY = "sigap_filed"
TRACKED_FOR_SECONDS = 30 * 60
PUBLIC_MESSAGE_KINDS = (CaseMessage.Kind.FROM_COMPLAINANT, CaseMessage.Kind.TO_COMPLAINANT)


# --- /lapor/'s limits (docs/domain.md#one-complaint-once) ------------------------------------------
# Complaints filed are counted, not posts: a desk PC or a mobile network's shared address is not
# refused for the forms it had to send again. Per client address and hour
# (SIGAP_WEB_INTAKE_PER_HOUR); a signed-in officer filing for people at a desk counts by account,
# at SIGAP_WEB_INTAKE_OFFICER_PER_HOUR. Refused posts are bounded apart, higher
# (SIGAP_WEB_INTAKE_INVALID_PER_HOUR), so the form cannot be hammered either. Kept in the default
# cache as sliding hourly counts (complaints.limits.SlidingCount, as the API's throttles): both
# read in one round trip before the form is read, counted after. Two posts at the same instant may
# both pass the check: a limit of thirty can let thirty-one through.
WEB_INTAKE_FILED, WEB_INTAKE_INVALID = "web-intake", "web-intake-invalid"
WEB_INTAKE_WINDOW = 3600


def web_intake_limit(group: str, request) -> int:
    if group == WEB_INTAKE_INVALID:
        return settings.SIGAP_WEB_INTAKE_INVALID_PER_HOUR
    if is_officer(request.user):
        return settings.SIGAP_WEB_INTAKE_OFFICER_PER_HOUR
    return settings.SIGAP_WEB_INTAKE_PER_HOUR


def web_intake_counts(request) -> dict[str, SlidingCount]:
    client = filing_client(request)
    return {
        group: SlidingCount(f"lapor:{group}:{client}", WEB_INTAKE_WINDOW)
        for group in (WEB_INTAKE_FILED, WEB_INTAKE_INVALID)
    }


def web_intake_refused(request, counts: dict[str, SlidingCount]) -> bool:
    """This client has filed its complaints for the hour, or sent too many refused forms (a cache
    that does not answer refuses nothing)."""
    values = sliding_counts(caches["default"], list(counts.values()))
    return any(value >= web_intake_limit(group, request) for group, value in zip(counts, values, strict=True))


def home(request):
    return render(request, "complaints/public/home.html", {"sms": receipts.public_sms_number()})


@require_http_methods(["GET", "POST"])
def lapor(request):
    if request.method == "POST":
        form = WebIntakeForm(request.POST, request.FILES, channel="web")
        # The form's one-time token: this very form sent again gets the first complaint, whatever
        # the limits say (it files nothing). A form that files finds its first by the key's unique
        # index (AlreadyFiled); one refused here looks for it first.
        key = idempotency_key_for("web", submission_nonce(request.POST.get("submission_token", "")))
        counts = web_intake_counts(request)
        refused = web_intake_refused(request, counts)
        if not refused and form.is_valid():
            try:
                complaint, pin = complaint_create(
                    channel="web",
                    cleaned=form.cleaned_data,
                    evidence=form.cleaned_data.get("evidence") or [],
                    language=get_language() or "id",
                    idempotency_key=key,
                    key_checked=True,  # a form sent again: the key's unique index refuses it
                )
            except AlreadyFiled as filed:  # the same form, filed before or a moment earlier
                return _already_filed(request, filed.complaint, filed.pin, key)
            counts[WEB_INTAKE_FILED].record(caches["default"])
            # Shown once on the next page, then gone: never in a URL.
            request.session[FILED_SESSION_KEY] = {
                "code": complaint.tracking_code,
                "pin": codes.pin_for_session(pin),
                "replay": key,
            }
            return redirect("lapor_terkirim")
        first = complaint_filed_with(key)
        if first is not None:
            return _already_filed(request, *first, key)
        if refused:
            # Past a limit the form is shown again with the refusal; nothing is filed.
            form.is_valid()
            form.add_error(None, _("Terlalu banyak pengaduan dari alamat ini. Coba lagi dalam satu jam."))
        else:
            counts[WEB_INTAKE_INVALID].record(caches["default"])
        context = intake_form_context(form)
    else:
        page = _new_form_page(request)
        if page is not None:
            return page
        context = _new_form_context(new_submission_token())
    return render(request, "complaints/public/lapor.html", context)


LAPOR_FIELDS = "complaints/public/_lapor_fields.html"


def _new_form_context(submission_token: str) -> dict:
    """A new form's page needs no form object: the fields are the same for everyone who reads the
    language, rendered once per language and kept with the reference tables whose options they
    list (complaints.reference); the one-time token is a hidden input."""
    language = get_language()
    return {
        "submission_token": submission_token,
        "fields_html": reference.kept(
            ("lapor-fields", language),
            lambda: render_to_string(
                LAPOR_FIELDS,
                {
                    **intake_form_context(WebIntakeForm(initial={"notify_channel": "sms"})),
                    "LANGUAGE_CODE": language,
                },
            ),
        ),
    }


# The new form's whole page, for a visitor who is not signed in, has no notice waiting and asked
# for /lapor/ itself (nearly every citizen): the same bytes for everyone who reads the language but
# for its two tokens. It is rendered once per language with stand-ins for them, kept with the
# fields, and each request puts its own in: rendering was two thirds of the page's CPU.
_CSRF_STAND_IN = "sigap-csrf-token-stand-in"  # noqa: S105 - replaced by the visitor's own token
_SUBMISSION_STAND_IN = "sigap-submission-token-stand-in"  # noqa: S105 - ditto


def _new_form_page(request) -> HttpResponse | None:
    if (
        request.user.is_authenticated
        or request.META.get("QUERY_STRING")
        or len(messages.get_messages(request))
    ):
        return None
    page = reference.kept(("lapor-page", get_language()), lambda: _page_with_stand_ins(request))
    if page is None:
        return None
    # get_token also has the CSRF cookie set, as rendering {% csrf_token %} does.
    return HttpResponse(
        page.replace(_CSRF_STAND_IN, get_token(request)).replace(_SUBMISSION_STAND_IN, new_submission_token())
    )


def _page_with_stand_ins(request) -> str | None:
    context = {**_new_form_context(_SUBMISSION_STAND_IN), "csrf_token": _CSRF_STAND_IN}
    page = render_to_string("complaints/public/lapor.html", context, request=request)
    # Both tokens where the form expects them, or no kept page (each request renders its own).
    return page if page.count(_SUBMISSION_STAND_IN) == 1 and _CSRF_STAND_IN in page else None


def _already_filed(request, complaint: Complaint, pin: str, key: str):
    """The answer to a form sent again. While its PIN has never been shown (a double click: the
    browser shows the second answer, not the first), the confirmation with the code and PIN, once;
    after that, the tracking page with the code and a note that it was received."""
    if pin:
        request.session[FILED_SESSION_KEY] = {
            "code": complaint.tracking_code,
            "pin": codes.pin_for_session(pin),
            "replay": key,
        }
        return redirect("lapor_terkirim")
    messages.info(
        request,
        _(
            "Pengaduan ini sudah kami terima dengan kode lacak %(code)s. Masukkan PIN yang Anda "
            "terima saat mengirimnya, atau minta PIN baru."
        )
        % {"code": codes.display_code(complaint.tracking_code)},
    )
    return redirect(f"{reverse('lacak')}?{urlencode({'kode': codes.display_code(complaint.tracking_code)})}")


# never_cache: phones are shared; Back or a proxy must not show the PIN or the case again.
@never_cache
def lapor_terkirim(request):
    filed = request.session.pop(FILED_SESSION_KEY, None)
    if not filed:
        return redirect("lacak")
    replay_forget(filed.get("replay", ""))  # shown now: the same form sent again will not repeat the PIN
    context = {"code": codes.display_code(filed["code"]), "pin": codes.pin_from_session(filed["pin"])}
    complaint = Complaint.objects.filter(tracking_code=filed["code"]).first()
    if complaint is not None:  # its receipt (never the PIN) can be printed from here for a while
        request.session[RECEIPT_SESSION_KEY] = {"id": complaint.pk, "at": time.time()}
        context["receipt"] = True
        if complaint.notify_channel != "none":
            context["sent_by"] = complaint.get_notify_channel_display()
    return render(request, "complaints/public/terkirim.html", context)


def tracked_complaint(request) -> Complaint | None:
    """The complaint this visitor proved with code + PIN in the last 30 minutes, if any."""
    tracked = request.session.get(TRACKED_SESSION_KEY)
    if not tracked or time.time() - tracked.get("at", 0) > TRACKED_FOR_SECONDS:
        return None
    complaint = Complaint.objects.select_related("unit").filter(pk=tracked["id"]).first()
    # A new PIN ends the sessions the old one opened (complaints.public.services.pin_replace).
    mark = tracked.get("pin")
    if complaint is not None and mark is not None and not hmac.compare_digest(mark, pin_mark(complaint)):
        return None
    return complaint


def pin_mark(complaint: Complaint) -> str:
    """Which PIN opened a tracked session: a digest of the PIN's hash, changed by a new PIN."""
    return hashlib.sha256(f"tracked:{complaint.pin_hash}".encode()).hexdigest()[:32]


@require_http_methods(["GET", "POST"])
def lacak(request):
    error = ""
    code = request.POST.get("code", "") if request.method == "POST" else request.GET.get("kode", "")
    if request.method == "POST":
        try:
            complaint = complaint_for_tracking(
                code=code, pin=request.POST.get("pin", ""), client_key=client_address(request)
            )
        except TrackingLocked as exc:
            complaint, error = None, str(exc.message)
        if complaint is not None:
            request.session.cycle_key()
            request.session[TRACKED_SESSION_KEY] = {
                "id": complaint.pk,
                "at": time.time(),
                "pin": pin_mark(complaint),
            }
            return redirect("lacak_kasus")
        error = error or _("Kode lacak atau PIN tidak cocok. Periksa lagi pesan atau catatan Anda.")
    context = {"error": error, "code": code, "sms": receipts.public_sms_number()}
    return render(request, "complaints/public/lacak.html", context)


@require_http_methods(["GET", "POST"])
def lacak_pin_baru(request):
    """Forgot the PIN: the tracking code and the phone number or email the complaint was filed
    with; a new PIN goes there (complaints.public.services.pin_recover), never to this page. The
    answer is the same whether or not they matched."""
    code = request.POST.get("code", "") if request.method == "POST" else request.GET.get("kode", "")
    contact = request.POST.get("contact", "")
    error, status = "", 200
    if request.method == "POST":
        if not code.strip() or not contact.strip():
            error, status = (
                _("Isi kode lacak dan nomor telepon atau email yang Anda pakai saat melapor."),
                400,
            )
        else:
            try:
                pin_recover(code=code[:40], contact=contact[:254], client_key=client_address(request))
            except RecoveryLocked as exc:
                error, status = str(exc.message), 429
            else:
                messages.info(
                    request,
                    _(
                        "Jika data cocok, PIN baru dikirim ke nomor/email yang terdaftar. PIN lama "
                        "tidak berlaku lagi setelah PIN baru dikirim."
                    ),
                )
                return redirect(f"{reverse('lacak')}?{urlencode({'kode': code.strip()[:40]})}")
    context = {"error": error, "code": code[:40], "contact": contact[:254]}
    return render(request, "complaints/public/pin_baru.html", context, status=status)


@never_cache
def lacak_kasus(request):
    complaint = tracked_complaint(request)
    if complaint is None:
        return redirect("lacak")
    return render(request, "complaints/public/kasus.html", case_context(complaint, Actor.complainant()))


def case_context(complaint: Complaint, actor: Actor, *, errors: dict | None = None) -> dict:
    available = {spec.name for spec in engine.available_transitions(complaint, actor)}
    return {
        "complaint": complaint,
        "code": codes.display_code(complaint.tracking_code),
        "explanation": state_explanation(complaint),
        "timeline": public_timeline(complaint),
        "merged": merged_case_for(complaint),
        # An allow-list, so a kind of message added later is never shown to the complainant by default.
        "thread": complaint.messages.filter(kind__in=PUBLIC_MESSAGE_KINDS).order_by("created_at", "id"),
        "actions": [name for name in COMPLAINANT_ACTIONS if name in available],
        "errors": errors or {},
    }


@require_POST
def lacak_aksi(request, name: str):
    complaint = tracked_complaint(request)
    if complaint is None:
        return redirect("lacak")
    if name not in COMPLAINANT_ACTIONS:
        return redirect("lacak_kasus")
    try:
        files = validate_evidence(request.FILES.getlist("evidence")) if name == "provide_info" else []
        complainant_act(
            complaint=complaint,
            name=name,
            via="web",
            message=clean_text(request.POST.get("message", "")),
            files=files,
            expected_state=request.POST.get("expected_state") or None,
        )
    except ValidationError as exc:
        errors = {"evidence": exc.messages}
    except engine.TransitionInvalid as exc:
        errors = exc.errors
    except engine.TransitionError as exc:
        messages.error(request, exc.message)
        return redirect("lacak_kasus")
    else:
        messages.success(request, _("Terima kasih. Langkah Anda sudah tercatat."))
        return redirect("lacak_kasus")
    context = case_context(complaint, Actor.complainant(), errors=errors)
    return render(request, "complaints/public/kasus.html", context, status=400)


@require_POST
def lacak_keluar(request):
    request.session.pop(TRACKED_SESSION_KEY, None)
    request.session.pop(RECEIPT_SESSION_KEY, None)
    return redirect("lacak")


# --- "Data saya": the complainant's personal data (UU 27/2022 PDP, docs/domain.md#personal-data) --
# Only in the tracked session (code + PIN in the last 30 minutes); never cached (phones are shared).
@never_cache
@require_GET
def data_saya(request):
    complaint = tracked_complaint(request)
    if complaint is None:
        return redirect("lacak")
    return render(request, "complaints/public/data_saya.html", data_saya_context(complaint))


def data_saya_context(
    complaint: Complaint, *, errors: dict | None = None, posted: dict | None = None
) -> dict:
    return {
        "code": codes.display_code(complaint.tracking_code),
        "data": personal_data_for(complaint, language=get_language()),
        "request_kinds": DataRequest.Kind.choices,
        "errors": errors or {},
        "posted": posted or {},
    }


@never_cache
@require_GET
def data_saya_json(request):
    """The same as the page, as a file the complainant keeps (and may take elsewhere)."""
    complaint = tracked_complaint(request)
    if complaint is None:
        return redirect("lacak")
    data = personal_data_for(complaint, language=get_language())
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="sigap-data-saya-{complaint.tracking_code}.json"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_POST
def data_saya_permintaan(request):
    """A correction, restriction or erasure request (complaints.public.services.data_request_create)."""
    complaint = tracked_complaint(request)
    if complaint is None:
        return redirect("lacak")
    posted = {"kind": request.POST.get("kind", ""), "text": request.POST.get("text", "")}
    try:
        data_request_create(complaint=complaint, **posted)
    except ValidationError as exc:
        context = data_saya_context(complaint, errors=exc.message_dict, posted=posted)
        return render(request, "complaints/public/data_saya.html", context, status=400)
    messages.success(
        request,
        _(
            "Permintaan Anda tercatat. Petugas wajib menjawabnya dalam 3×24 jam; jawabannya tampil di halaman ini."
        ),
    )
    return redirect("lacak_data_saya")


# --- the receipt (tanda terima) and its public check (docs/domain.md#receipts) ---------------------
# Right after filing on the web the receipt can be printed from the same browser for 30 minutes;
# after that, from the tracked session (code + PIN). It never shows the PIN.
RECEIPT_SESSION_KEY = "sigap_receipt"
RECEIPT_CHECKS_PER_HOUR = "60/h"


def just_filed_complaint(request) -> Complaint | None:
    filed = request.session.get(RECEIPT_SESSION_KEY)
    if not filed or time.time() - filed.get("at", 0) > TRACKED_FOR_SECONDS:
        return None
    return Complaint.objects.filter(pk=filed["id"]).first()


@never_cache
@require_GET
def tanda_terima(request):
    complaint = tracked_complaint(request) or just_filed_complaint(request)
    if complaint is None:
        return redirect("lacak")
    context = receipts.page_context(complaint, width=request.GET.get("lebar", ""))
    return render(request, "complaints/public/tanda_terima.html", context)


@require_GET
def tanda_terima_cari(request):
    """/tanda-terima/: type the number printed on a receipt to check it."""
    typed = request.GET.get("nomor", "")
    error = ""
    if typed:
        number = receipts.normalise_number(typed[:60])
        if number:
            return redirect("tanda_terima_cek", number=number)
        error = _("Itu bukan nomor tanda terima. Contoh: TT-2026-0000123-AB3CDE.")
    context = {"typed": typed[:60], "error": error}
    return render(request, "complaints/public/tanda_terima_cek.html", context, status=400 if error else 200)


@require_GET
# Every check counts, per client address and hour: the number's signature is ~30 bits, and this
# keeps anyone from trying them at speed.
@ratelimit(group="receipt-check", key="ip", rate=RECEIPT_CHECKS_PER_HOUR, method="GET", block=False)
def tanda_terima_cek(request, number: str):
    """Is this receipt genuine? Only the date, the channel, the receiving unit and the status."""
    if request.limited:
        error = _("Terlalu banyak pemeriksaan dari alamat ini. Coba lagi dalam satu jam.")
        return render(request, "complaints/public/tanda_terima_cek.html", {"error": error}, status=429)
    complaint = receipts.verify(number)
    if complaint is None:
        context = {"typed": number[:60], "unknown": True}
        return render(request, "complaints/public/tanda_terima_cek.html", context, status=404)
    context = {"check": receipts.verification_for(complaint)}
    return render(request, "complaints/public/tanda_terima_cek.html", context)
