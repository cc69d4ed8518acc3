"""POST /api/v1/complaints/{id}/transitions/{name}/: an officer performs a workflow step."""

from collections.abc import Mapping

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.permissions import IsOfficer
from complaints.api.serializers import (
    ErrorSerializer,
    TransitionRefusalSerializer,
    TransitionResultSerializer,
)
from complaints.permissions import complaints_visible_to
from workflow import engine
from workflow.engine import Actor


def complaint_state_payload(complaint, actor: Actor) -> dict:
    return {
        "id": complaint.pk,
        "tracking_code": complaint.tracking_code,
        "state": complaint.state,
        "state_label": str(complaint.get_state_display()),
        "due_at": complaint.due_at,
        "is_overdue": complaint.is_overdue,
        "available_transitions": [
            engine.describe(spec, complaint) for spec in engine.available_transitions(complaint, actor)
        ],
    }


class TransitionView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        summary="Lakukan langkah alur kerja / perform a workflow transition",
        request=inline_serializer(
            "TransitionRequest",
            {
                "note": serializers.CharField(required=False),
                "expected_state": serializers.CharField(required=False),
            },
        ),
        responses={
            200: OpenApiResponse(
                TransitionResultSerializer, description="The new state and what may be done next"
            ),
            400: OpenApiResponse(ErrorSerializer, description="Field errors"),
            403: OpenApiResponse(TransitionRefusalSerializer, description="Not permitted for this officer"),
            404: OpenApiResponse(
                ErrorSerializer, description="No such case for this officer, or no such transition"
            ),
            409: OpenApiResponse(
                TransitionRefusalSerializer,
                description="Not allowed in the current state, or stale expected_state",
            ),
        },
    )
    def post(self, request, pk: int, name: str):
        complaint = get_object_or_404(complaints_visible_to(request.user), pk=pk)
        data = request.data
        if not isinstance(data, Mapping):
            return Response(
                {"detail": "Kirim sebuah objek JSON / send a JSON object."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            spec = engine.machine_for(complaint).spec(name)
        except engine.UnknownTransition:
            return Response(
                {"detail": "Langkah tidak dikenal / unknown transition."}, status=status.HTTP_404_NOT_FOUND
            )
        note, fields = engine.step_input(spec, complaint, data)
        expected_state = data.get("expected_state")
        actor = Actor.officer(request.user)
        try:
            engine.perform(
                complaint,
                name,
                actor=actor,
                via="api",
                note=note,
                expected_state=expected_state if isinstance(expected_state, str) and expected_state else None,
                **fields,
            )
        except engine.TransitionInvalid as exc:
            return Response({"detail": exc.message, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except engine.TransitionError as exc:
            # The state now (a rival may just have changed it), so the client can reload.
            current = type(complaint).objects.filter(pk=complaint.pk).values_list("state", flat=True).first()
            return Response({"detail": exc.message, "state": current}, status=exc.status)
        return Response(complaint_state_payload(complaint, actor))
