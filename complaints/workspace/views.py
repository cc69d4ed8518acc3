"""The officer workspace: the queue and the case page. Every view checks the role and the unit;
another unit's case is 404, never 403 (its existence is not confirmed)."""

from __future__ import annotations

import csv
from functools import cache, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints import messaging, reference
from complaints.codes import display_code, pin_for_session, pin_from_session
from complaints.identity import READ_REASON, identity_read, identity_reveal, needs_reveal
from complaints.intake.forms import submission_nonce
from complaints.intake.selectors import intake_form_context
from complaints.intake.services import (
    AlreadyFiled,
    complaint_filed_with,
    idempotency_key_for,
    replay_forget,
)
from complaints.models import (
    CHANNEL_CHOICES,
    Agency,
    CaseMessage,
    Complaint,
    DataRequest,
    DeskChannel,
    HandlingUnit,
    Kind,
    Role,
    State,
    UnitKind,
    User,
    choice_label,
)
from complaints.permissions import files_at_desk, is_officer, may_attach_document
from complaints.public import receipts
from complaints.scorecard import selectors as scorecard
from complaints.scorecard.snapshot import Period, PeriodInvalid
from complaints.urgency import reason_labels, source_label
from complaints.workspace.dashboard import dashboard_for
from complaints.workspace.exports import complaint_export_lines
from complaints.workspace.filters import unit_province
from complaints.workspace.forms import DeskIntakeForm, DocumentForm, consent_method_label
from complaints.workspace.referral import (
    ReferralLetterUnavailable,
    complaint_for_referral_letter,
    has_referral_letter,
    referral_letter_for,
)
from complaints.workspace.selectors import (
    assign_choices,
    assigned_cases_for,
    case_clock,
    case_files,
    case_timeline,
    complaint_detail_for,
    complaint_for_case_page,
    complaint_queue_for,
    complaint_visible_to,
    data_requests_for_case,
    identity_access_log_for,
    likely_duplicates_for,
    officer_loads,
    open_data_requests_for,
    queue_filter_for,
    queue_for_export,
    referred_matches_for,
)
from complaints.workspace.services import (
    api_token_create,
    api_token_revoke,
    assignable_officers,
    case_document_add,
    complaint_claim,
    complaints_assign_outcome,
    data_request_answer,
    desk_complaint_file,
    may_reissue_pin,
    may_review_urgency,
    pin_reissue_at_desk,
    thread_post,
    urgency_review,
)
from notifications.outbox import messages_for
from notifications.personal import decrypt, encrypt
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
    queue_row_labels(page.rows)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request,
        "complaints/officer/queue.html",
        {
            "page": page,
            "filters": page.filters,
            # Nothing filtered: the form as everyone of the unit's province sees it, kept.
            "filter_fields": queue_filter_fields(request.user) if page.filters is None else "",
            "query": params.urlencode(),
            # A case the desk referred, found by its code: listed apart, opened read-only.
            "referred": referred_matches_for(request.user, request.GET.get("q", ""))
            if not request.GET.get("cursor")
            else [],
            # Requests about personal data, due in 3×24 hours: above the cases (UU 27/2022 PDP).
            "data_requests": open_data_requests_for(request.user),
            "can_assign": request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR),
            # Fewest open cases first, the least-loaded officer marked as the suggestion
            # (docs/domain.md#workload); only built for those who assign.
            "officers": assign_choices(
                User.objects.filter(unit_id=request.user.unit_id, is_active=True).exclude(role=""),
                request.user.unit,
                now=timezone.now(),
            )
            if request.user.unit_id and request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
            else [],
        },
    )


QUEUE_FILTERS = "complaints/officer/_queue_filters.html"


def queue_filter_fields(officer) -> str:
    """The queue's filter form with nothing filtered: the same for every officer whose unit serves
    the same province (filters.unit_province) and who reads the same language, so it is rendered
    once and kept with the reference tables whose options it lists (complaints.reference). It was
    a sixth of the page's time."""
    return reference.kept(
        ("queue-filters", get_language(), unit_province(officer)),
        lambda: render_to_string(QUEUE_FILTERS, {"form": queue_filter_for(officer, params=QueryDict()).form}),
    )


def queue_row_labels(rows) -> None:
    """What each queue row shows in words, worked out once a page: the template engine did it once a
    row (a reverse, a date format and three translated labels a row were half of the page's
    rendering). Each row gets its case page's ``case_url``, ``state_label``, ``kind_label``,
    ``channel_label``, ``category_label`` (in the reader's language) and ``due_label`` (the
    deadline's day, as the date filter wrote it)."""
    # The case page's address with the row's number put in, as queue-live.js does with the
    # table's data-case-url: one reverse a page.
    case_url = reverse("officer_case", args=[0]).removesuffix("0/")
    english = get_language() == "en"
    states = cache(lambda value: str(choice_label(State, value)))
    kinds = cache(lambda value: str(choice_label(Kind, value)))
    channels = cache(channel_label)
    # A page's deadlines fall on a few days (it is sorted by them).
    day_label = cache(lambda day: date_format(day, "j M Y"))
    for row in rows:
        row.case_url = f"{case_url}{row.pk}/"
        row.state_label, row.kind_label = states(row.state), kinds(row.kind)
        row.channel_label = channels(row.channel)
        category = row.category
        row.category_label = (
            (category.name_en if english and category.name_en else category.name_id) if category else ""
        )
        if row.due_at is not None:
            row.due_label = day_label(timezone.localdate(row.due_at))


def channel_label(value: str) -> str:
    """A complaint's channel as people read it, the desk's channels included."""
    return str(dict(CHANNEL_CHOICES).get(value, value))


def case_context(
    request, complaint, *, bound: dict | None = None, read_only: bool = False, document_form=None
) -> dict:
    actor = Actor.officer(request.user)
    evidence, documents = case_files(complaint)
    timeline = case_timeline(complaint)
    common = {
        "complaint": complaint,
        "code": display_code(complaint.tracking_code),
        "clock": case_clock(complaint),
        "channel_label": channel_label(complaint.channel),
        "consent_method": consent_method_label(complaint.consent_method),
        "evidence": evidence,
        "documents": documents,
        "timeline": timeline,
        "referral_letter": has_referral_letter(complaint, timeline),
        "read_only": read_only,
        "urgency": case_urgency(request, complaint, read_only=read_only),
    }
    if read_only:
        # A case the desk referred (docs/domain.md#desk-intake): what it is and where it went. No
        # step, message, note, identity (not even read: nothing is logged), personal-data request,
        # download or assignment.
        return common
    forms = []
    for spec in engine.available_transitions(complaint, actor):
        form_class = spec.form_class(complaint)
        form = (bound or {}).get(spec.name) or form_class(prefix=spec.name)
        forms.append({"spec": spec, "form": form, "label": spec.label()})
    thread = list(complaint.messages.select_related("author").order_by("created_at", "id"))
    may_attach = may_attach_document(complaint, actor)
    return {
        **common,
        "identity": identity_read(request.user, complaint),
        "needs_reveal": needs_reveal(request.user, complaint),
        "document_form": (document_form or DocumentForm(prefix="document")) if may_attach else None,
        "transitions": forms,
        "thread": [m for m in thread if m.kind != CaseMessage.Kind.INTERNAL],
        "notes": [m for m in thread if m.kind == CaseMessage.Kind.INTERNAL],
        "outbound": messages_for(messaging.message_reference(complaint.pk))[:20],
        "duplicates": complaint.duplicates.all(),
        # Fewest open cases first, the least-loaded eligible officer marked (docs/domain.md#workload).
        "assignable": assign_choices(
            assignable_officers(complaint), complaint.unit, now=timezone.now(), complaint=complaint
        )
        if request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
        else [],
        "can_assign": request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR),
        "data_requests": data_requests_for_case(request.user, complaint),
        "data_request_outcomes": DataRequest.Outcome.choices,
        "reveals": complaint.identity_reveals.select_related("officer")[:20]
        if request.user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
        else [],
    }


def case_urgency(request, complaint, *, read_only: bool = False) -> dict:
    """The case page's urgency panel (docs/domain.md#urgency): urgent or not, who said so last, why
    Sigap suggested it, the officer's reason, and whether this officer may confirm or change it."""
    return {
        "source": source_label(complaint.urgency_source),
        "reasons": reason_labels(complaint.urgency_reasons),
        "may_review": not read_only and may_review_urgency(request.user, complaint),
    }


@never_cache
@officer_required
@require_POST
def case_urgency_review(request, pk: int):
    """An officer confirms or changes whether a case is urgent, with a reason (required for a change)."""
    complaint = complaint_detail_for(request.user, pk)
    choice = request.POST.get("urgent", "")
    if choice not in ("1", "0"):
        messages.error(request, _("Pilih apakah kasus ini mendesak atau tidak."))
        return redirect(f"{reverse('officer_case', args=[pk])}#mendesak")
    try:
        urgency_review(request.user, complaint, choice == "1", request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Keputusan kemendesakan tercatat."))
    return redirect(f"{reverse('officer_case', args=[pk])}#mendesak")


@never_cache  # it may show an identity: not kept for the Back button of a shared computer
@officer_required
def case(request, pk: int):
    complaint, read_only = complaint_for_case_page(request.user, pk)
    context = case_context(request, complaint, read_only=read_only)
    if not read_only:
        context.update(case_pin_and_duplicates(request, complaint))
    return render(request, "complaints/officer/case.html", context)


# --- a new PIN at the desk; likely duplicates (docs/domain.md#pin-recovery, #one-complaint-once) ---
NEW_PIN_SESSION_KEY = "sigap_new_pin"


def case_pin_and_duplicates(request, complaint) -> dict:
    """What the case page adds: a PIN just issued at the desk (shown once, then gone), whether this
    officer may issue one, and the likely duplicates of a case at intake."""
    new_pin = ""
    issued = request.session.get(NEW_PIN_SESSION_KEY)
    if issued and issued.get("id") == complaint.pk:
        del request.session[NEW_PIN_SESSION_KEY]
        new_pin = decrypt(issued.get("pin", ""))
    return {
        "new_pin": new_pin,
        "may_reissue_pin": may_reissue_pin(request.user, complaint),
        "likely_duplicates": likely_duplicates_for(request.user, complaint),
    }


@never_cache
@officer_required
@require_POST
def case_pin_reissue(request, pk: int):
    """Issue a new PIN to the complainant in front of the officer, after checking who they are."""
    complaint = complaint_detail_for(request.user, pk)
    try:
        pin = pin_reissue_at_desk(
            officer=request.user, complaint=complaint, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Shown once on the case page it redirects to, and kept until then encrypted in the session:
        # never in a URL, never in plain text anywhere.
        request.session[NEW_PIN_SESSION_KEY] = {"id": complaint.pk, "pin": encrypt(pin)}
    return redirect(f"{reverse('officer_case', args=[pk])}#pin")


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
    if name in ("refer", "take_up_own_motion"):
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


@officer_required
@require_POST
def case_document(request, pk: int):
    """An officer attaches a document to a case (docs/domain.md#documents). Another unit's case is
    404; an officer who sees the case but may not act on it, 403."""
    complaint = complaint_detail_for(request.user, pk)
    if not may_attach_document(complaint, Actor.officer(request.user)):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_document_add(request.user, complaint, data["file"], data["kind"], data["title"])
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, errors in by_field.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Dokumen “%(title)s” dilampirkan.") % {"title": data["title"]})
            return redirect(f"{reverse('officer_case', args=[pk])}#dokumen")
    messages.error(request, _("Dokumen belum dilampirkan: periksa isiannya."))
    context = case_context(request, complaint, document_form=form)
    return render(request, "complaints/officer/case.html", context, status=400)


def _row_id(value: str) -> int | None:
    """A row's id from a query string or a form, else None: ASCII digits, few enough for a bigint.
    (str.isdigit() also says yes to "²", and int() refuses 5,000 digits: both were 500s.)"""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


# The assignment form's explicit choice to leave cases without an officer: never the default, so
# a form sent without a choice changes nothing (docs/domain.md#states-and-transitions).
RELEASE = "lepas"


def assign_notice(outcome) -> str:
    """Exactly what an assignment did: "2 kasus ditugaskan ke Oki", "3 kasus dilepas (tanpa
    petugas)", with the cases it left as they were ("; 1 kasus sudah dipegang Oki")."""
    changed, unchanged = outcome.changed, outcome.unchanged
    if outcome.assignee is None:
        done = ngettext(
            "%(n)d kasus dilepas (tanpa petugas)", "%(n)d kasus dilepas (tanpa petugas)", changed
        ) % {"n": changed}
        same = ngettext(
            "%(n)d kasus memang belum ada petugasnya", "%(n)d kasus memang belum ada petugasnya", unchanged
        ) % {"n": unchanged}
    else:
        name = outcome.assignee.get_full_name() or outcome.assignee.get_username()
        done = ngettext(
            "%(n)d kasus ditugaskan ke %(name)s", "%(n)d kasus ditugaskan ke %(name)s", changed
        ) % {"n": changed, "name": name}
        same = ngettext(
            "%(n)d kasus sudah dipegang %(name)s", "%(n)d kasus sudah dipegang %(name)s", unchanged
        ) % {"n": unchanged, "name": name}
    if not unchanged:
        return done
    if not changed:
        return _("Tidak ada yang berubah: %(same)s") % {"same": same}
    return f"{done}; {same}"


@officer_required
@require_POST
def assign(request):
    """Assign one or many cases (supervisor): ids from the queue's checkboxes or a case page. The
    officer, or RELEASE to leave the cases without one, must be chosen: nothing is the default."""
    # Back to the queue or case page it came from; never to another site.
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("officer_queue")
    ids = [pk for pk in map(_row_id, request.POST.getlist("complaint")) if pk is not None]
    choice = request.POST.get("assignee", "")
    if not choice:
        messages.error(
            request,
            _(
                "Pilih petugas yang ditugaskan, atau “Lepaskan (tanpa petugas)” untuk melepas kasus. "
                "Tidak ada yang diubah."
            ),
        )
        return redirect(back)
    if choice == RELEASE:
        assignee = None
    elif _row_id(choice) is None:
        raise Http404
    else:
        assignee = get_object_or_404(User, pk=choice)
    if not ids:
        messages.error(request, _("Pilih kasus yang akan ditugaskan. Tidak ada yang diubah."))
        return redirect(back)
    try:
        outcome = complaints_assign_outcome(supervisor=request.user, complaint_ids=ids, assignee=assignee)
    except Complaint.DoesNotExist:
        raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, assign_notice(outcome))
    return redirect(back)


# --- the desk: filing on a complainant's behalf (docs/domain.md#desk-intake) ------------------------
DESK_FILED_SESSION_KEY = "sigap_desk_filed"


def _desk_officer(request) -> None:
    if not files_at_desk(request.user):
        raise PermissionDenied


@never_cache
@require_http_methods(["GET", "POST"])
@officer_required
def desk_intake(request):
    """/petugas/lapor/: an intake officer files a complaint received in person, by letter, by phone
    or by email, with how consent was given and the documents received."""
    _desk_officer(request)
    if request.method == "POST":
        form = DeskIntakeForm(request.POST, request.FILES, channel=DeskChannel.IN_PERSON)
        # The form's one-time token: the same form sent again (a double click) files nothing more.
        key = idempotency_key_for("desk", submission_nonce(request.POST.get("submission_token", "")))
        first = complaint_filed_with(key)
        if first is not None:
            return _desk_already_filed(request, *first, key)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint, pin = desk_complaint_file(
                    officer=request.user,
                    cleaned=data,
                    documents=data.get("documents") or [],
                    language=data.get("language") or "id",
                    idempotency_key=key,
                )
            except AlreadyFiled as filed:  # the same form, filed by a request a moment earlier
                return _desk_already_filed(request, filed.complaint, filed.pin, key)
            return _desk_filed(request, complaint, pin, key)
    else:
        form = DeskIntakeForm()
    return render(request, "complaints/officer/desk_intake.html", intake_form_context(form))


def _desk_filed(request, complaint, pin: str, key: str):
    # Shown once on the next page, then gone: never in a URL.
    request.session[DESK_FILED_SESSION_KEY] = {
        "id": complaint.pk,
        "code": complaint.tracking_code,
        "pin": pin_for_session(pin),
        "replay": key,
    }
    return redirect("officer_desk_intake_done")


def _desk_already_filed(request, complaint, pin: str, key: str):
    """A desk form sent again: its confirmation while the PIN was never shown, else a notice."""
    if pin:
        return _desk_filed(request, complaint, pin, key)
    messages.info(
        request,
        _("Pengaduan ini sudah tercatat dengan kode lacak %(code)s.")
        % {"code": display_code(complaint.tracking_code)},
    )
    if complaint_visible_to(request.user, complaint.pk):
        return redirect("officer_case", pk=complaint.pk)
    return redirect("officer_desk_intake")


def _receipt_url(complaint_id: int) -> str | None:
    """The printable receipt of a complaint filed at the desk (complaints/public/receipts.py)."""
    try:
        return reverse("receipt", args=[complaint_id])
    except NoReverseMatch:
        return None


@never_cache  # the PIN: never kept for the Back button, never in a shared cache
@officer_required
def desk_intake_done(request):
    """The tracking code and the PIN of the complaint just filed, shown once to the officer, who
    hands them over (the PIN in a sealed slip), and the way to the receipt."""
    _desk_officer(request)
    filed = request.session.pop(DESK_FILED_SESSION_KEY, None)
    if not filed:
        return redirect("officer_desk_intake")
    replay_forget(filed.get("replay", ""))  # shown now: the same form sent again will not repeat it
    complaint = Complaint.objects.select_related("unit", "received_by").get(pk=filed["id"])
    visible = complaint_visible_to(request.user, complaint.pk)
    response = render(
        request,
        "complaints/officer/desk_intake_done.html",
        {
            "complaint": complaint,
            "code": display_code(filed["code"]),
            "pin": pin_from_session(filed["pin"]),
            "channel_label": channel_label(complaint.channel),
            "receipt_url": _receipt_url(complaint.pk),
            "case_url": reverse("officer_case", args=[complaint.pk]) if visible else None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@officer_required
def case_receipt(request, pk: int):
    """The printable receipt of a case this officer may see (the desk hands it over): number,
    date, channel, receiving unit, next deadline, code and QR code; never the PIN
    (complaints/public/receipts.py, docs/domain.md#receipts)."""
    complaint = complaint_detail_for(request.user, pk)
    context = receipts.page_context(complaint, width=request.GET.get("lebar", ""))
    return render(request, "complaints/public/tanda_terima.html", context)


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


# --- workload: a unit's load, an officer's own cases (docs/domain.md#workload) ----------------------
@require_GET
@officer_required
def workload(request):
    """/petugas/beban/: a unit's open cases by officer (a supervisor: their unit; an administrator:
    the unit they choose). Other officers: 403."""
    if request.user.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise PermissionDenied
    units = []
    if request.user.role == Role.ADMINISTRATOR:
        units = list(HandlingUnit.objects.filter(is_active=True).order_by("kind", "name"))
        chosen = _unit_param(request.GET.get("unit"))
        unit = next((u for u in units if u.pk == chosen), None)
    else:
        unit = request.user.unit
    return render(
        request,
        "complaints/officer/beban.html",
        {
            "load": officer_loads(unit, now=timezone.now()) if unit is not None else None,
            "unit": unit,
            "units": units,
        },
    )


def _assigned_cases_page(request, officer):
    return render(
        request,
        "complaints/officer/kasus_saya.html",
        {
            "cases": assigned_cases_for(request.user, officer, now=timezone.now()),
            "own": officer.pk == request.user.pk,
        },
    )


@require_GET
@officer_required
def my_cases(request):
    """/petugas/kasus-saya/: the open cases this officer holds, what is due today first."""
    return _assigned_cases_page(request, request.user)


@require_GET
@officer_required
def officer_cases(request, officer_id: int):
    """/petugas/beban/<id>/: an officer's open cases, as "Kasus saya" shows them to that officer,
    for their unit's supervisor or an administrator. Another unit's officer: 404; any other
    officer: 403."""
    officer = get_object_or_404(User.objects.exclude(role=""), pk=officer_id)
    if officer.pk != request.user.pk:
        if request.user.role == Role.SUPERVISOR:
            if officer.unit_id != request.user.unit_id:
                raise Http404
        elif request.user.role != Role.ADMINISTRATOR:
            raise PermissionDenied
    return _assigned_cases_page(request, officer)


# --- the public scorecard: an agency's figures for a P2HAM/KKPHAM assessment --------------------------
def may_export_scorecard(user, agency: Agency) -> bool:
    """The officers who assess agencies (a case officer or supervisor of a Kanwil Kementerian HAM or
    an Ombudsman RI office) may export an agency of their province, or a central one (no
    province); an administrator, any (docs/domain.md#public-scorecard)."""
    if user.role == Role.ADMINISTRATOR:
        return True
    unit = user.unit
    if user.role not in (Role.CASE_OFFICER, Role.SUPERVISOR) or unit is None:
        return False
    if unit.kind not in (UnitKind.KANWIL_HAM, UnitKind.OMBUDSMAN):
        return False
    return agency.province_id is None or agency.province_id == unit.province_id


@require_GET
@officer_required
def scorecard_export(request, pk: int):
    """/petugas/kinerja/instansi/<id>/ekspor.csv?dari=&sampai=: the agency's public figures for the
    assessment period, with the period, the agency and each figure's explanation, to attach to
    a P2HAM/KKPHAM assessment. The same (suppressed) figures as the public page: the file leaves
    Sigap."""
    agency = get_object_or_404(Agency, pk=pk)
    if not may_export_scorecard(request.user, agency):
        raise PermissionDenied
    try:
        period = Period.parse(request.GET.get("dari"), request.GET.get("sampai"))
    except PeriodInvalid:
        return HttpResponseBadRequest(
            _("Periode tidak dapat dibaca."), content_type="text/plain; charset=utf-8"
        )
    try:
        card = scorecard.scorecard_for(period, scorecard.agency_scope(agency.pk))
    except scorecard.UnknownScope:
        raise Http404 from None
    except scorecard.Busy:
        refusal = HttpResponse(
            str(scorecard.BUSY_MESSAGE), status=503, content_type="text/plain; charset=utf-8"
        )
        refusal["Retry-After"] = str(scorecard.RETRY_AFTER)
        return refusal
    where = ", ".join(part[1] for part in (card.regency, card.province) if part)
    preamble = [
        [_("Lampiran penilaian P2HAM/KKPHAM: kinerja pelayanan publik menurut pengaduan di Sigap")],
        [_("Instansi"), agency.name],
        [_("Tingkat"), card.level],
        [_("Wilayah"), where or _("Seluruh Indonesia")],
        [_("Diunduh oleh unit"), request.user.unit.name if request.user.unit_id else _("Administrator")],
        [_("Diunduh"), timezone.localtime().isoformat(timespec="minutes")],
    ]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = f"sigap-penilaian-instansi-{agency.pk}-{period.key}"
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    response["Cache-Control"] = "no-store, private"
    response.write("\ufeff")  # so that a spreadsheet reads the file as UTF-8
    csv.writer(response).writerows(scorecard.csv_table(card, explanations=True, preamble=preamble))
    return response
