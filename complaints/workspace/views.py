"""The officer workspace: the queue and the case page. Every view checks the role and the unit;
another unit's case is 404, never 403 (its existence is not confirmed)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from complaints.codes import display_code
from complaints.identity import READ_REASON, identity_read, identity_reveal, needs_reveal
from complaints.models import CaseMessage, Complaint, DataRequest, Role, User
from complaints.permissions import is_officer
from complaints.workspace.dashboard import dashboard_for
from complaints.workspace.exports import complaint_export_lines
from complaints.workspace.referral import (
    ReferralLetterUnavailable,
    complaint_for_referral_letter,
    has_referral_letter,
    referral_letter_for,
)
from complaints.workspace.selectors import (
    case_clock,
    case_timeline,
    complaint_detail_for,
    complaint_queue_for,
    complaint_visible_to,
    data_requests_for_case,
    identity_access_log_for,
    open_data_requests_for,
    queue_for_export,
)
from complaints.workspace.services import (
    api_token_create,
    api_token_revoke,
    assignable_officers,
    complaint_claim,
    complaints_assign,
    data_request_answer,
    thread_post,
)
from notifications.outbox import messages_for
from workflow import engine
from workflow.engine import Actor


def officer_required(view):
    """Signed in (else to the sign-in page) and an officer (else 403): complaints.permissions.is_officer."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@officer_required
def queue(request):
    page = complaint_queue_for(request.user, params=request.GET, cursor=request.GET.get("cursor", ""))
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "complaints/officer/queue.html",
        {
            "page": page,
            "filters": page.filters,
            "query": params.urlencode(),
            # Requests about personal data, due in 3×24 hours: above the cases (UU 27/2022 PDP).
            "data_requests": open_data_requests_for(request.user),
            "can_assign": request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR),
            "officers": User.objects.filter(unit_id=request.user.unit_id, is_active=True).exclude(role="")
            if request.user.unit_id
            else [],
        },
    )


def case_context(request, complaint, *, bound: dict | None = None) -> dict:
    actor = Actor.officer(request.user)
    forms = []
    for spec in engine.available_transitions(complaint, actor):
        form_class = spec.form_class(complaint)
        form = (bound or {}).get(spec.name) or form_class(prefix=spec.name)
        forms.append({"spec": spec, "form": form, "label": spec.label()})
    thread = list(complaint.messages.select_related("author").order_by("created_at", "id"))
    timeline = case_timeline(complaint)
    return {
        "complaint": complaint,
        "code": display_code(complaint.tracking_code),
        "clock": case_clock(complaint),
        "identity": identity_read(request.user, complaint),
        "needs_reveal": needs_reveal(request.user, complaint),
        "evidence": complaint.evidence.all(),
        "timeline": timeline,
        "referral_letter": has_referral_letter(complaint, timeline),
        "transitions": forms,
        "thread": [m for m in thread if m.kind != CaseMessage.Kind.INTERNAL],
        "notes": [m for m in thread if m.kind == CaseMessage.Kind.INTERNAL],
        "outbound": messages_for(f"complaint:{complaint.pk}")[:20],
        "duplicates": complaint.duplicates.all(),
        "assignable": assignable_officers(complaint),
        "can_assign": request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR),
        "data_requests": data_requests_for_case(request.user, complaint),
        "data_request_outcomes": DataRequest.Outcome.choices,
        "reveals": complaint.identity_reveals.select_related("officer")[:20]
        if request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
        else [],
    }


@never_cache  # it may show an identity: not kept for the Back button of a shared computer
@officer_required
def case(request, pk: int):
    complaint = complaint_detail_for(request.user, pk)
    return render(request, "complaints/officer/case.html", case_context(request, complaint))


@never_cache  # an open complaint's letter names the complainant
@officer_required
def case_referral_letter(request, pk: int):
    """The printable referral letter of a referred case; without a standing referral, the case page
    says why there is none."""
    complaint = complaint_for_referral_letter(request.user, pk)
    try:
        letter = referral_letter_for(request.user, complaint)
    except ReferralLetterUnavailable as exc:
        messages.warning(request, str(exc))
        return redirect("officer_case", pk=pk)
    return render(
        request,
        "complaints/officer/referral_letter.html",
        {"letter": letter, "complaint": complaint, "code": display_code(complaint.tracking_code)},
    )


@officer_required
@require_POST
def case_transition(request, pk: int, name: str):
    complaint = complaint_detail_for(request.user, pk)
    try:
        spec = engine.machine_for(complaint).spec(name)
    except engine.UnknownTransition:
        raise Http404
    note, fields = engine.step_input(spec, complaint, request.POST, prefix=f"{name}-")
    try:
        engine.perform(
            complaint,
            name,
            actor=Actor.officer(request.user),
            via="web",
            note=note,
            expected_state=request.POST.get("expected_state") or None,
            **fields,
        )
    except engine.TransitionInvalid as exc:
        form = spec.form_class(complaint)(request.POST, prefix=name)
        form.is_valid()
        # The step's own checks (complaints/steps.py) answer beside the fields they concern.
        for field, errors in exc.errors.items():
            for error in errors:
                if error not in form.errors.get(field, []):
                    form.add_error(field if field in form.fields else None, error)
        messages.error(request, _("Periksa kembali isian langkah “%(step)s”.") % {"step": spec.label()})
        context = case_context(request, complaint, bound={name: form})
        return render(request, "complaints/officer/case.html", context, status=400)
    except engine.TransitionConflict:
        messages.error(
            request, _("Kasus ini baru saja diubah oleh petugas lain. Periksa statusnya yang terbaru.")
        )
        return redirect("officer_case", pk=pk)
    except engine.TransitionForbidden:
        raise PermissionDenied
    done = _("Langkah “%(step)s” tercatat.") % {"step": spec.label()}
    if complaint_visible_to(request.user, pk):
        messages.success(request, done)
        return redirect("officer_case", pk=pk)
    # The step took the case out of this officer's unit (a referral): back to the queue, and the
    # desk prints the letter it sends with the referral.
    if name == "refer":
        done = format_html(
            '{} <a href="{}">{}</a>',
            done,
            reverse("officer_case_referral_letter", args=[pk]),
            _("Cetak surat rujukan"),
        )
    messages.success(request, done)
    return redirect("officer_queue")


@officer_required
@require_POST
def case_reveal(request, pk: int):
    complaint = complaint_detail_for(request.user, pk)
    try:
        identity_reveal(user=request.user, complaint=complaint, reason=request.POST.get("reason", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    except PermissionError:
        raise PermissionDenied
    return redirect("officer_case", pk=pk)


@officer_required
@require_POST
def case_message(request, pk: int, internal: bool = False):
    complaint = complaint_detail_for(request.user, pk)
    try:
        thread_post(
            officer=request.user, complaint=complaint, body=request.POST.get("body", ""), internal=internal
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("officer_case", pk=pk)


@officer_required
@require_POST
def case_data_request_answer(request, pk: int, request_id: int):
    """Answer a complainant's request about their personal data (another unit's case: 404)."""
    complaint = complaint_detail_for(request.user, pk)
    data_request = get_object_or_404(complaint.data_requests, pk=request_id)
    try:
        data_request_answer(
            officer=request.user,
            data_request=data_request,
            outcome=request.POST.get("outcome", ""),
            answer=request.POST.get("answer", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Jawaban atas permintaan data pribadi tercatat."))
    return redirect(f"{reverse('officer_case', args=[pk])}#data-pribadi")


@officer_required
@require_POST
def case_claim(request, pk: int):
    complaint = complaint_detail_for(request.user, pk)
    try:
        complaint_claim(officer=request.user, complaint=complaint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("officer_case", pk=pk)


def _row_id(value: str) -> int | None:
    """A row's id from a query string or a form, else None: ASCII digits, few enough for a bigint.
    (str.isdigit() also says yes to "²", and int() refuses 5,000 digits: both were 500s.)"""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@officer_required
@require_POST
def assign(request):
    """Assign one or many cases (supervisor): ids from the queue's checkboxes or a case page."""
    ids = [pk for pk in map(_row_id, request.POST.getlist("complaint")) if pk is not None]
    assignee_id = request.POST.get("assignee", "")
    if assignee_id and _row_id(assignee_id) is None:
        raise Http404
    assignee = get_object_or_404(User, pk=assignee_id) if assignee_id else None
    try:
        changed = complaints_assign(supervisor=request.user, complaint_ids=ids, assignee=assignee)
    except Complaint.DoesNotExist:
        raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s kasus ditugaskan.") % {"n": changed})
    # Back to the queue or case page it came from; never to another site.
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("officer_queue")
    return redirect(back)


@officer_required
def case_evidence(request, pk: int, evidence_id: int):
    complaint = complaint_detail_for(request.user, pk)
    evidence = get_object_or_404(complaint.evidence, pk=evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:  # removed from storage (retention) while the row remains
        raise Http404
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@officer_required
def identity_log(request):
    """The identity access log (UU 27/2022 PDP) for supervisors of a unit and administrators."""
    if request.user.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise PermissionDenied
    before = request.GET.get("sebelum", "")
    rows, next_before = identity_access_log_for(request.user, before=_row_id(before))
    return render(
        request,
        "complaints/officer/identity_log.html",
        {"rows": rows, "next_before": next_before, "read_reason": READ_REASON},
    )


@officer_required
def api_token(request):
    """The officer's own API tokens: create one (its key is shown in this response only), list
    them by creation, expiry and prefix, revoke one or all. Only a digest is stored (knox)."""
    from knox.models import AuthToken
    from knox.settings import knox_settings

    new_key = new_token = error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("revoke", "revoke_all"):
            one = request.POST.get("token_key", "") if action == "revoke" else None
            if api_token_revoke(user=request.user, token_key=one):
                messages.success(
                    request, _("Token API dicabut.") if one is not None else _("Semua token API dicabut.")
                )
            return redirect("officer_api_token")
        if action == "create":
            try:
                new_token, new_key = api_token_create(user=request.user)
            except ValidationError as invalid:
                error = " ".join(invalid.messages)
    tokens = (
        AuthToken.objects.filter(user=request.user).exclude(expiry__lte=timezone.now()).order_by("-created")
    )
    response = render(
        request,
        "complaints/officer/api_token.html",
        {
            "new_key": new_key,
            "new_token": new_token,
            "error": error,
            "tokens": list(tokens.only("token_key", "created", "expiry")),
            "ttl_days": knox_settings.TOKEN_TTL.days,
            "limit": knox_settings.TOKEN_LIMIT_PER_USER,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- dashboard and CSV export -----------------------------------------------------------------------
def _unit_param(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@require_GET
@officer_required
def dashboard(request):
    figures = dashboard_for(request.user, unit_id=_unit_param(request.GET.get("unit")))
    return render(request, "complaints/officer/dashboard.html", {"dashboard": figures})


@require_GET
@officer_required
def export_csv(request):
    complaints = queue_for_export(request.user, params=request.GET)
    response = StreamingHttpResponse(
        complaint_export_lines(officer=request.user, complaints=complaints),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="sigap-antrean-{stamp}.csv"'
    # Personal data: never kept by a shared cache or the browser's disk cache.
    response["Cache-Control"] = "no-store, private"
    return response
