"""The public scorecard as JSON: GET /api/v1/kinerja/ and /api/v1/kinerja/instansi/<id>/
(docs/domain.md#public-scorecard). The same figures as /kinerja/, from the same snapshot."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.serializers import ErrorSerializer
from complaints.scorecard import selectors
from complaints.scorecard.snapshot import Period, PeriodInvalid


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(
        allow_null=True, help_text="null when held back (below 5, or its complement)"
    )
    display = serializers.CharField(
        help_text='the count as shown: a number, "< 5", or "hidden" in the language asked for'
    )
    suppressed = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=["small", "complement"],
        allow_null=True,
        help_text="why it is held back: below 5, or a complement that would give a count below 5 back",
    )
    share = serializers.FloatField(
        allow_null=True, help_text="percent of the group's total, when both are shown"
    )


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    total = FigureSerializer(allow_null=True)
    figures = FigureSerializer(many=True)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    explanation = serializers.CharField()
    groups = GroupSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    locals()["from"] = serializers.CharField(help_text="YYYY-MM, the first month included")  # a keyword
    to = serializers.CharField(help_text="YYYY-MM, the last month included")


class ScopeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["national", "province", "regency", "agency"])
    code = serializers.CharField(
        help_text="the province's or regency's code, the agency's id; empty for the country"
    )
    name = serializers.CharField()
    level = serializers.CharField(help_text="an agency's level (pusat, provinsi, kabupaten/kota, …)")
    province = serializers.CharField(allow_null=True)
    regency = serializers.CharField(allow_null=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    received = FigureSerializer()
    resolved = FigureSerializer()


class StageSerializer(serializers.Serializer):
    locals()["from"] = serializers.CharField(help_text="the stage the days are counted from")  # a keyword
    to = serializers.CharField(help_text="the stage they are counted to")
    label = serializers.CharField()
    median_days = serializers.FloatField(allow_null=True)
    cases = serializers.IntegerField(
        allow_null=True, help_text="how many complaints the median is taken over"
    )
    suppressed = serializers.BooleanField()
    cases_display = serializers.CharField(help_text='the count as shown: a number, "< 5", or "hidden"')


class ChildSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["province", "regency", "agency"])
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    received = FigureSerializer()
    compliance_rate = serializers.FloatField(allow_null=True)


class PlaceSerializer(serializers.Serializer):
    peers = serializers.CharField(help_text="which agencies it is compared with")
    peer_count = serializers.IntegerField()
    by_received = serializers.IntegerField(allow_null=True, help_text="1 = the most complaints")
    ranked_by_received = serializers.IntegerField()
    by_compliance = serializers.IntegerField(allow_null=True, help_text="1 = the highest compliance")
    ranked_by_compliance = serializers.IntegerField()


class ScorecardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    scope = ScopeSerializer()
    computed_at = serializers.DateTimeField()
    threshold = serializers.IntegerField(help_text="counts below it are held back")
    received = FigureSerializer()
    urgent = FigureSerializer(allow_null=True, help_text="urgent (mendesak) complaints received")
    urgent_stage_medians = StageSerializer(
        many=True, help_text="the country's stage medians over urgent complaints only (empty elsewhere)"
    )
    compliance_rate = serializers.FloatField(allow_null=True)
    clarification_on_time_rate = serializers.FloatField(allow_null=True)
    sections = SectionSerializer(many=True)
    months = MonthSerializer(many=True)
    stage_medians = StageSerializer(many=True)
    children = ChildSerializer(
        many=True, help_text="the provinces (of the country) or regencies (of a province)"
    )
    agencies = ChildSerializer(many=True, help_text="the listed agencies of this region")
    place = PlaceSerializer(allow_null=True, help_text="an agency's place among its peers")
    notes = serializers.ListField(child=serializers.CharField())


PERIOD_PARAMETERS = [
    OpenApiParameter("dari", str, description="first month, YYYY-MM (default: 11 months before `sampai`)"),
    OpenApiParameter(
        "sampai", str, description="last month, YYYY-MM (default: this month); at most 36 months"
    ),
]
RESPONSES = {
    200: ScorecardSerializer,
    400: OpenApiResponse(ErrorSerializer, description="An unreadable period, or one longer than 36 months"),
    404: OpenApiResponse(ErrorSerializer, description="No such province, regency or agency"),
}


def _period(request) -> Period | Response:
    try:
        return Period.parse(request.query_params.get("dari"), request.query_params.get("sampai"))
    except PeriodInvalid:
        return Response(
            {
                "detail": "Periode tidak dapat dibaca / unreadable period (dari, sampai: YYYY-MM, at most 36 months)."
            },
            status=status.HTTP_400_BAD_REQUEST,
        )


def _answer(period: Period, scope: str) -> Response:
    try:
        card = selectors.scorecard_for(period, scope)
    except selectors.UnknownScope:
        return Response({"detail": "Tidak ditemukan / not found."}, status=status.HTTP_404_NOT_FOUND)
    except selectors.Busy:
        return Response(
            {"detail": str(selectors.BUSY_MESSAGE)},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(selectors.RETRY_AFTER)},
        )
    return Response(ScorecardSerializer(selectors.as_dict(card)).data)


class ScorecardView(APIView):
    """The country's figures, a province's (?provinsi=) or a regency's (?kabkota=)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Kinerja pelayanan publik / public-service scorecard",
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("provinsi", str, description="a province's code, e.g. 31"),
            OpenApiParameter("kabkota", str, description="a regency's code, e.g. 31.71"),
        ],
        responses=RESPONSES,
    )
    def get(self, request):
        period = _period(request)
        if isinstance(period, Response):
            return period
        try:
            scope = selectors.scope_from(request.query_params)
        except selectors.UnknownScope:
            return Response({"detail": "Tidak ditemukan / not found."}, status=status.HTTP_404_NOT_FOUND)
        return _answer(period, scope)


class AgencyScorecardView(APIView):
    """One listed agency's figures and its place among agencies of its level in its region."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Kinerja satu instansi / one agency's scorecard",
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter(
                "id", int, OpenApiParameter.PATH, description="the agency's id (GET /api/v1/reference/)"
            ),
        ],
        responses=RESPONSES,
    )
    def get(self, request, pk: int):
        period = _period(request)
        if isinstance(period, Response):
            return period
        return _answer(period, selectors.agency_scope(pk))
