"""The published OpenAPI schema (/api/schema/) names every answer an operation can give.

drf-spectacular documents what a view's `extend_schema` says; the refusals that come from DRF
itself or from the project's error handlers are the same for every view and are added here, from
what the view is configured with, so that no operation can answer a status its schema does not
list (tests/test_api_fuzz.py holds the server to it):

- 400 for a request body or query string it cannot read;
- 401 where a credential is read (a missing, wrong or expired token), 403 where an officer is
  required (or a signed-in session posts without its CSRF token);
- 404 for a path that names something (another unit's case is not found, never forbidden);
- 415 for a body in a media type the view does not parse;
- 429 with Retry-After where a throttle or the PIN's guessing limit applies;
- 503 with Retry-After for every operation: a part Sigap needs (PostgreSQL, Redis) is down
  (config/errors.py).

Every one of these bodies is an `Error` (complaints.api.serializers.ErrorSerializer).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "seconds to wait before asking again",
    }
}


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the refusals above added to each operation."""

    def _get_response_bodies(self, direction="response"):
        from complaints.api.serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code, description in self._refusals():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
            if code in ("429", "503"):
                responses[code].setdefault("headers", {}).update(RETRY_AFTER)
        return dict(sorted(responses.items()))

    def _refusals(self) -> list[tuple[str, str]]:
        view = self.view
        reads_credentials = bool(view.get_authenticators())
        officers_only = not all(isinstance(p, AllowAny) for p in view.get_permissions())
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_query = any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )
        refusals = []
        if has_body or has_query:
            refusals.append(("400", "The request cannot be read, or a field is wrong"))
        if reads_credentials:
            refusals.append(
                ("401", "No valid credentials: a wrong or expired token, or none where one is needed")
            )
        if officers_only or (reads_credentials and has_body):
            refusals.append(
                ("403", "Not permitted for this account (or a session's post without its CSRF token)")
            )
        if "{" in self.path:
            refusals.append(("404", "Not found (another unit's case is not found either)"))
        if has_body:
            refusals.append(("415", "A body in a media type this operation does not read"))
        if view.get_throttles():
            refusals.append(("429", "Too many requests: ask again after Retry-After seconds"))
        refusals.append(("503", "A service Sigap depends on is down: ask again after Retry-After seconds"))
        return refusals
