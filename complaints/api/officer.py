"""POST /api/v1/complaints/{id}/identity/: an officer handling a confidential case reveals the
complainant's identity with a reason, as "Tampilkan identitas" does on the case page.

The reveal is logged (IdentityReveal) and lasts 30 minutes for this officer; during it the
identity also appears in GET /api/v1/complaints/{id}/.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.permissions import IsOfficer
from complaints.api.serializers import ErrorSerializer, IdentityRevealSerializer, RevealedIdentitySerializer
from complaints.identity import identity_read, identity_reveal
from complaints.workspace.selectors import complaint_detail_for


class IdentityRevealView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        summary="Tampilkan identitas pelapor / reveal the complainant's identity",
        request=IdentityRevealSerializer,
        responses={
            200: OpenApiResponse(
                RevealedIdentitySerializer,
                description="The identity (logged; visible to this officer for 30 minutes)",
            ),
            400: OpenApiResponse(
                ErrorSerializer, description="No reason given, or one that cannot be stored"
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="Not an officer handling this case, or an anonymous report"
            ),
            404: OpenApiResponse(ErrorSerializer, description="No such case for this officer"),
        },
    )
    def post(self, request, pk: int):
        complaint = complaint_detail_for(request.user, pk)
        if not isinstance(request.data, Mapping):
            return Response(
                {"detail": _("Kirim sebuah objek JSON dengan alasan membuka identitas.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # Through a serializer: a reason with a NUL character (which PostgreSQL cannot store) or
        # longer than its 300 characters is the client's error, not the server's.
        data = IdentityRevealSerializer(data=request.data)
        if not data.is_valid():
            return Response({"errors": data.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            identity_reveal(user=request.user, complaint=complaint, reason=data.validated_data["reason"])
        except PermissionError:
            return Response({"detail": "Tidak diizinkan / not permitted."}, status=status.HTTP_403_FORBIDDEN)
        except ValueError as exc:
            return Response({"errors": {"reason": [str(exc)]}}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"identity": identity_read(request.user, complaint)})
