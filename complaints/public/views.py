"""Public pages: landing, the complaint form, tracking. They work without JavaScript."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from complaints import codes
from complaints.intake.forms import ComplaintIntakeForm, validate_evidence
from complaints.intake.selectors import intake_form_context
from complaints.intake.services import complaint_create
from complaints.limits import client_address
from complaints.models import CaseMessage, Complaint, DataRequest
from complaints.public.selectors import personal_data_for, state_explanation
from complaints.public.services import COMPLAINANT_ACTIONS, complainant_act, data_request_create
from complaints.public.tracking import TrackingLocked, complaint_for_tracking, public_timeline
from complaints.sanitize import clean_text
from workflow import engine
from workflow.engine import Actor

TRACKED_SESSION_KEY = "sigap_tracked"
FILED_SESSION_KEY = "sigap_filed"
TRACKED_FOR_SECONDS = 30 * 60
PUBLIC_MESSAGE_KINDS = (CaseMessage.Kind.FROM_COMPLAINANT, CaseMessage.Kind.TO_COMPLAINANT)


def web_intake_rate(group, request) -> str:
    """django-ratelimit's rate for /lapor/, read per request (SIGAP_WEB_INTAKE_PER_HOUR)."""
    return f"{settings.SIGAP_WEB_INTAKE_PER_HOUR}/h"


def home(request):
    return render(request, "complaints/public/home.html")


@require_http_methods(["GET", "POST"])
# Every POST counts, per client address (complaints.limits) and hour, shared through the cache;
# past the limit the form is shown again with the refusal, nothing is filed.
@ratelimit(group="web-intake", key="ip", rate=web_intake_rate, method="POST", block=False)
def lapor(request):
    if request.method == "POST":
        form = ComplaintIntakeForm(request.POST, request.FILES)
        if request.limited:
            form.is_valid()
            form.add_error(None, _("Terlalu banyak pengaduan dari alamat ini. Coba lagi dalam satu jam."))
        elif form.is_valid():
            complaint, pin = complaint_create(
                channel="web",
                cleaned=form.cleaned_data,
                evidence=form.cleaned_data.get("evidence") or [],
                language=get_language() or "id",
            )
            # Shown once on the next page, then gone: never in a URL.
            request.session[FILED_SESSION_KEY] = {"code": complaint.tracking_code, "pin": pin}
            return redirect("lapor_terkirim")
    else:
        form = ComplaintIntakeForm(initial={"notify_channel": "sms"})
    return render(request, "complaints/public/lapor.html", intake_form_context(form))


# never_cache: phones are shared; Back or a proxy must not show the PIN or the case again.
@never_cache
def lapor_terkirim(request):
    filed = request.session.pop(FILED_SESSION_KEY, None)
    if not filed:
        return redirect("lacak")
    return render(
        request,
        "complaints/public/terkirim.html",
        {"code": codes.display_code(filed["code"]), "pin": filed["pin"]},
    )


def tracked_complaint(request) -> Complaint | None:
    """The complaint this visitor proved with code + PIN in the last 30 minutes, if any."""
    tracked = request.session.get(TRACKED_SESSION_KEY)
    if not tracked or time.time() - tracked.get("at", 0) > TRACKED_FOR_SECONDS:
        return None
    return Complaint.objects.select_related("unit").filter(pk=tracked["id"]).first()


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
            request.session[TRACKED_SESSION_KEY] = {"id": complaint.pk, "at": time.time()}
            return redirect("lacak_kasus")
        error = error or _("Kode lacak atau PIN tidak cocok. Periksa lagi pesan atau catatan Anda.")
    return render(request, "complaints/public/lacak.html", {"error": error, "code": code})


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
