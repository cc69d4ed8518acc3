"""The REST API: public intake and tracking, officers' lists and cases."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.cache import caches
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from complaints.api import serializers
from complaints.api.permissions import IsOfficer
from complaints.identity import identity_read
from complaints.intake.selectors import intake_reference_data
from complaints.intake.services import (
    AlreadyFiled,
    IntakeInvalid,
    complaint_filed_with,
    complaint_submit,
    idempotency_key_for,
)
from complaints.limits import SlidingCount, client_address, filing_client, sliding_counts
from complaints.models import CHANNEL_CHOICES, Kind, State
from complaints.permissions import complaints_visible_to, is_officer
from complaints.public.selectors import merged_case_for, state_explanation
from complaints.public.services import COMPLAINANT_ACTIONS, complainant_act
from complaints.public.tracking import TrackingLocked, complaint_for_tracking, public_timeline
from complaints.sanitize import clean_text
from complaints.workspace import selectors
from complaints.workspace.filters import ASSIGNEE_CHOICES
from workflow import engine

MAX_PAGE_SIZE = 200
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits: "²" and "٣" are digits to str.isdigit()

# The queue's filters (complaints.workspace.filters.QueueFilter), as the /petugas/ page takes them.
QUEUE_PARAMETERS = [
    OpenApiParameter(
        "cursor", str, description="from the previous page's `next`; an unreadable one is a 400"
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": selectors.PAGE_SIZE},
        description=f"rows per page, 1-{MAX_PAGE_SIZE}",
    ),
    OpenApiParameter("state", str, many=True, enum=State.values, explode=True, description="any of these"),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("category", str, description="a category's id (GET /api/v1/reference/)"),
    OpenApiParameter(
        "province", str, description="a province's code (units that serve one province: ignored)"
    ),
    OpenApiParameter("regency", str, description="a regency's code, e.g. 31.71"),
    OpenApiParameter("agency", str, description="an agency's id"),
    OpenApiParameter("vulnerable_group", str, description="a vulnerable group's id"),
    OpenApiParameter("channel", str, enum=[value for value, _label in CHANNEL_CHOICES]),
    OpenApiParameter("assignee", str, enum=[value for value, _label in ASSIGNEE_CHOICES]),
    OpenApiParameter("overdue", bool, description="past its deadline (true) or not (false)"),
    OpenApiParameter("urgent", bool, description="urgent cases only (true) or the others (false)"),
    OpenApiParameter("q", str, description="a tracking code, or words of the description"),
]


def _page_size(raw: str | None) -> int | None:
    """The page size asked for (the default when none), or None when it is no whole number from 1
    to MAX_PAGE_SIZE."""
    if raw is None or raw == "":
        return selectors.PAGE_SIZE
    if not _WHOLE_NUMBER.fullmatch(raw):
        return None
    size = int(raw)
    return size if 1 <= size <= MAX_PAGE_SIZE else None


_YES_NO_FIELDS = ("complained_to_agency_first", "consent_pdp", "urgent")
# An Idempotency-Key: visible ASCII, long enough not to be guessed (docs/domain.md#one-complaint-once).
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{16,200}")


class CountedThrottle(SimpleRateThrottle):
    """A throttle that checks and does not count: ``allow_request`` refuses a client past its rate,
    the view calls ``record()`` for what counts (a complaint filed; a refused request, on its own
    scope). The client is its address (complaints.limits), or an officer's account: a desk filing
    for the people in front of it is not held to one address's count.

    The count is a complaints.limits.SlidingCount: two numbers per client, one read to check and
    one atomic increment to count, whatever the rate (DRF's throttle keeps, reads and writes back a
    timestamp per request counted). ``read_together`` reads several throttles in one round trip."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()
        self.count: SlidingCount | None = None
        self.counted: float | None = None

    @property
    def cache(self):
        return caches["default"]  # the backend itself (DRF's is a proxy), for config.cache.hit

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": filing_client(request)}

    def _start(self, request, view) -> bool:
        """Set up this request's count; False when there is nothing to count (no rate, no key)."""
        if self.rate is None:
            return False
        if self.count is None:
            key = self.get_cache_key(request, view)
            if key is None:
                return False
            self.count = SlidingCount(key, self.duration, now=self.timer())
        return True

    @classmethod
    def read_together(cls, throttles, request, view) -> None:
        started = [
            t for t in throttles if isinstance(t, cls) and t.counted is None and t._start(request, view)
        ]
        if started:
            for throttle, value in zip(
                started, sliding_counts(started[0].cache, [t.count for t in started]), strict=True
            ):
                throttle.counted = value

    def allow_request(self, request, view):
        if not self._start(request, view):
            return True
        if self.counted is None:
            self.read_together([self], request, view)
        return self.counted < self.num_requests

    def wait(self):
        return max(self.count.window_ends - self.count.now, 1)

    def record(self) -> None:
        if self.count is not None:
            self.count.record(self.cache)


def _intake_data(data) -> dict:
    """JSON or multipart into the intake form's vocabulary."""
    if hasattr(data, "getlist"):
        plain = {key: data.get(key) for key in data}
        plain["vulnerable_groups"] = data.getlist("vulnerable_groups")
    elif isinstance(data, Mapping):
        plain = dict(data)
    else:  # a JSON list, string or null: a client error, not a server one
        raise ParseError(_("Isi permintaan harus berupa objek JSON dengan isian pengaduan."))
    # The form reads text, as a web form sends it. It would quietly store a list as its text
    # ("['a', 'b']"), and a JSON number or true/false in a date field was a 500: only the groups
    # are lists, only the yes/no questions take true/false, and a number is read as its digits.
    wrong = {}
    for key, value in plain.items():
        if key == "vulnerable_groups":
            continue
        if isinstance(value, list | dict):
            wrong[key] = [_("Isian ini harus berupa satu nilai, bukan daftar atau objek.")]
        elif isinstance(value, bool):
            if key not in _YES_NO_FIELDS:
                wrong[key] = [_("Isian ini harus berupa teks, bukan true/false.")]
        elif isinstance(value, int | float):
            plain[key] = str(value)
    if wrong:
        raise IntakeInvalid(wrong)
    value = plain.get("complained_to_agency_first")
    if isinstance(value, bool):
        plain["complained_to_agency_first"] = "1" if value else "0"
    plain.pop("evidence", None)
    return plain


class ComplaintViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_scope = "intake"
    # A case is named by its number, as the transition and identity URLs say (<int:pk>): anything
    # else is no case (404), never a failed query (it was a 500 for /complaints/null,null/).
    lookup_value_regex = "[0-9]+"

    def get_permissions(self):
        return [AllowAny()] if self.action == "create" else [IsOfficer()]

    def check_throttles(self, request):
        CountedThrottle.read_together(self.get_throttles(), request, self)  # one round trip for all
        super().check_throttles(request)

    def get_throttles(self):
        if self.action != "create":
            return []
        if self._replay() is not None:
            return []  # a retried filing files nothing: never refused by the count of filings
        return list(self._intake_throttles().values())

    def _intake_throttles(self) -> dict[str, CountedThrottle]:
        if not hasattr(self, "_throttles"):
            desk = is_officer(self.request.user)
            self._throttles = {
                "filed": CountedThrottle("intake_desk" if desk else "intake"),
                "invalid": CountedThrottle("intake_invalid"),
            }
        return self._throttles

    def _idempotency_key(self) -> str | None:
        """The stored form of the Idempotency-Key header ("" without one), None when it is no key."""
        raw = self.request.headers.get("Idempotency-Key")
        if raw is None:
            return ""
        return idempotency_key_for("api", raw) if IDEMPOTENCY_KEY.fullmatch(raw) else None

    def _replay(self) -> tuple | None:
        if not hasattr(self, "_first"):
            key = self._idempotency_key()
            self._first = complaint_filed_with(key) if key else None
        return self._first

    def _replayed(self, complaint, pin: str) -> Response:
        return Response(
            {
                "tracking_code": complaint.tracking_code,
                "pin": pin or None,
                "status": complaint.state,
                "status_label": str(complaint.get_state_display()),
            },
            status=status.HTTP_200_OK,
            headers={"Idempotent-Replayed": "true"},
        )

    def get_queryset(self):
        return complaints_visible_to(self.request.user).select_related("category", "agency", "unit")

    def get_serializer_class(self):
        return (
            serializers.ComplaintDetailSerializer
            if self.action == "retrieve"
            else serializers.ComplaintListSerializer
        )

    @extend_schema(
        summary="Ajukan pengaduan / file a complaint",
        description=(
            "Public, throttled. JSON, or multipart/form-data with evidence as repeated `evidence` "
            "files. Identifiers for province, regency, agency, category and vulnerable groups: "
            "GET /api/v1/reference/. Errors come in the language of Accept-Language."
        ),
        request={
            "application/json": serializers.IntakeRequestSerializer,
            "multipart/form-data": serializers.IntakeMultipartRequestSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description=(
                    "16-200 visible ASCII characters, new for each complaint (a random UUID), kept "
                    "secret like the PIN. Sent again with a retried request (a timeout, a lost "
                    "answer), it returns the complaint filed first, 200 instead of 201, with "
                    "`Idempotent-Replayed: true`: never a second complaint, also for requests sent at "
                    "the same moment. The first answer's PIN is repeated for 24 hours (kept "
                    "encrypted meanwhile), `null` after that: the complainant can then ask for a new "
                    "PIN at /lacak/pin-baru/. A retry is never throttled; the body of a retry is not "
                    "read. Only a hash of the key is stored."
                ),
            )
        ],
        responses={
            201: serializers.IntakeCreatedSerializer,
            200: OpenApiResponse(
                serializers.IntakeReplayedSerializer,
                description="The complaint filed first with this Idempotency-Key",
            ),
            400: serializers.ErrorSerializer,
            429: OpenApiResponse(
                serializers.ErrorSerializer,
                description="Too many complaints filed by this client this hour, or too many refused requests",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        # Throttles count complaints filed (and, apart, refused requests), not requests.
        throttles = self._intake_throttles()
        key = self._idempotency_key()
        if key is None:
            throttles["invalid"].record()
            message = _("Idempotency-Key harus 16-200 karakter ASCII yang terlihat, misalnya sebuah UUID.")
            return Response({"errors": {"Idempotency-Key": [message]}}, status=status.HTTP_400_BAD_REQUEST)
        if self._replay() is not None:
            return self._replayed(*self._replay())
        try:
            complaint, pin = complaint_submit(
                channel="api",
                data=_intake_data(request.data),
                files=request.FILES.getlist("evidence"),
                language=get_language() or "id",
                idempotency_key=key,
                key_checked=True,  # _replay, above
            )
        except AlreadyFiled as first:  # the same key, filed by a request a moment earlier
            return self._replayed(first.complaint, first.pin)
        except IntakeInvalid as exc:
            throttles["invalid"].record()
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except ParseError:
            throttles["invalid"].record()
            raise
        throttles["filed"].record()
        return Response(
            {
                "tracking_code": complaint.tracking_code,
                "pin": pin,
                "status": complaint.state,
                "status_label": str(complaint.get_state_display()),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Antrean petugas / officer's queue",
        description=(
            "Urgent cases first, then soonest deadline; keyset pages on (urgent, due_at, id): follow "
            "`next`. Takes the filters of the /petugas/ queue; one it cannot read is a 400 with the "
            "errors by parameter."
        ),
        parameters=QUEUE_PARAMETERS,
        responses={200: serializers.ComplaintQueuePageSerializer, 400: serializers.ErrorSerializer},
    )
    def list(self, request, *args, **kwargs):
        # The same keyset and filters as the /petugas/ queue: no COUNT(*), an index on
        # (unit, -urgent, due_at, id).
        params = request.query_params
        size = _page_size(params.get("page_size"))
        if size is None:
            message = _("Ukuran halaman harus bilangan bulat dari 1 sampai %(max)d.") % {"max": MAX_PAGE_SIZE}
            return Response({"errors": {"page_size": [message]}}, status=status.HTTP_400_BAD_REQUEST)
        cursor = params.get("cursor", "")
        if cursor and selectors.decode_cursor(cursor) is None:
            message = _("Kursor halaman ini tidak terbaca. Ikuti tautan `next` dari halaman sebelumnya.")
            return Response({"errors": {"cursor": [message]}}, status=status.HTTP_400_BAD_REQUEST)
        page = selectors.complaint_queue_values_for(
            request.user, params=params, cursor=cursor, page_size=size
        )
        if page.errors:  # a filter it cannot read must not silently list everything
            return Response({"errors": page.errors}, status=status.HTTP_400_BAD_REQUEST)
        next_url = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        rows = serializers.ComplaintListSerializer(
            page.rows, many=True, context=self.get_serializer_context()
        )
        return Response({"next": next_url, "results": rows.data})

    def retrieve(self, request, *args, **kwargs):
        complaint = get_object_or_404(
            self.get_queryset().prefetch_related("vulnerable_groups"), pk=kwargs["pk"]
        )
        context = {
            **self.get_serializer_context(),
            "identity_reader": lambda c: identity_read(request.user, c),
        }
        return Response(serializers.ComplaintDetailSerializer(complaint, context=context).data)


def _public_status(complaint) -> dict:
    return {
        "tracking_code": complaint.tracking_code,
        "status": complaint.state,
        "status_label": str(complaint.get_state_display()),
        "explanation": state_explanation(complaint),
        "due_at": complaint.due_at,
        "timeline": [{"at": step["at"], "text": step["text"]} for step in public_timeline(complaint)],
        "merged_into": _merged(complaint),
    }


def _merged(complaint) -> dict | None:
    merged = merged_case_for(complaint)
    if merged is None:
        return None
    return {**merged, "timeline": [{"at": step["at"], "text": step["text"]} for step in merged["timeline"]]}


def _tracked_or_refusal(request, data: dict):
    """The complaint proven by code + PIN, or the response that refuses: 429 locked, 404 no match
    (the same answer for an unknown code and a wrong PIN)."""
    try:
        complaint = complaint_for_tracking(
            code=data["tracking_code"], pin=data["pin"], client_key=client_address(request)
        )
    except TrackingLocked as exc:
        return Response(
            {"detail": str(exc.message)},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.wait)},
        )
    if complaint is None:
        return Response(
            {"detail": _("Kode lacak atau PIN tidak cocok. Periksa lagi pesan atau catatan Anda.")},
            status=status.HTTP_404_NOT_FOUND,
        )
    return complaint


class ReferenceView(APIView):
    """Public reference data for filing through the API (what /lapor/ shows as choices)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Data rujukan untuk pengaduan / reference data for filing",
        responses=inline_serializer(
            "IntakeReferenceData",
            {
                key: drf_serializers.ListField(child=drf_serializers.DictField())
                for key in ("kinds", "categories", "vulnerable_groups", "provinces", "regencies", "agencies")
            },
        ),
    )
    def get(self, request):
        response = Response(intake_reference_data())
        # Changes only when an administrator edits reference data; clients may keep it an hour.
        response["Cache-Control"] = "public, max-age=3600"
        return response


class TrackView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "track"

    @extend_schema(
        summary="Lacak pengaduan / track a complaint",
        request=serializers.TrackRequestSerializer,
        responses={
            200: serializers.TrackStatusSerializer,
            404: OpenApiResponse(serializers.ErrorSerializer, description="No case with this code and PIN"),
            429: OpenApiResponse(
                serializers.ErrorSerializer, description="Too many wrong guesses, or too many requests"
            ),
        },
    )
    def post(self, request):
        data = serializers.TrackRequestSerializer(data=request.data)
        if not data.is_valid():
            return Response({"errors": data.errors}, status=status.HTTP_400_BAD_REQUEST)
        complaint = _tracked_or_refusal(request, data.validated_data)
        if isinstance(complaint, Response):
            return complaint
        return Response(_public_status(complaint))


class TrackActionView(APIView):
    """A complainant's step without an account: provide_info, object, withdraw."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "track"

    @extend_schema(
        summary="Langkah pelapor / complainant step",
        request=serializers.TrackActionSerializer,
        responses={
            200: serializers.TrackStatusSerializer,
            404: OpenApiResponse(
                serializers.ErrorSerializer, description="No such step, or no case with this code and PIN"
            ),
            403: OpenApiResponse(serializers.ErrorSerializer, description="Not this complainant's step"),
            409: OpenApiResponse(serializers.ErrorSerializer, description="Not possible in the case's state"),
            429: OpenApiResponse(
                serializers.ErrorSerializer, description="Too many wrong guesses, or too many requests"
            ),
        },
    )
    def post(self, request, name: str):
        if name not in COMPLAINANT_ACTIONS:
            return Response(
                {"detail": "Langkah tidak dikenal / unknown step."}, status=status.HTTP_404_NOT_FOUND
            )
        data = serializers.TrackActionSerializer(data=request.data)
        if not data.is_valid():
            return Response({"errors": data.errors}, status=status.HTTP_400_BAD_REQUEST)
        complaint = _tracked_or_refusal(request, data.validated_data)
        if isinstance(complaint, Response):
            return complaint
        try:
            complainant_act(
                complaint=complaint,
                name=name,
                via="api",
                message=clean_text(data.validated_data.get("message", "")),
            )
        except engine.TransitionInvalid as exc:
            return Response({"detail": exc.message, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except engine.TransitionError as exc:
            return Response({"detail": exc.message}, status=exc.status)
        return Response(_public_status(complaint))
