"""POST /api/v1/complaints/{id}/identity/: an officer handling a confidential case reveals the
complainant's identity with a reason, as "Tampilkan identitas" does on the case page.

The reveal is logged (IdentityReveal) and lasts 30 minutes for this officer; during it the
identity also appears in GET /api/v1/complaints/{id}/.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.permissions import IsOfficer
from complaints.identity import identity_read, identity_reveal
from complaints.workspace.selectors import complaint_detail_for


class IdentityRevealView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        summary="Tampilkan identitas pelapor / reveal the complainant's identity",
        request=inline_serializer("IdentityRevealRequest", {"reason": serializers.CharField(max_length=300)}),
        responses={
            200: OpenApiResponse(description="The identity (logged; visible to this officer for 30 minutes)"),
            400: OpenApiResponse(description="No reason given"),
            403: OpenApiResponse(description="Not an officer handling this case, or an anonymous report"),
            404: OpenApiResponse(description="No such case for this officer"),
        },
    )
    def post(self, request, pk: int):
        complaint = complaint_detail_for(request.user, pk)
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        try:
            identity_reveal(user=request.user, complaint=complaint, reason=str(reason))
        except PermissionError:
            return Response({"detail": "Tidak diizinkan / not permitted."}, status=status.HTTP_403_FORBIDDEN)
        except ValueError as exc:
            return Response({"errors": {"reason": [str(exc)]}}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"identity": identity_read(request.user, complaint)})
