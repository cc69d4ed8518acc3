"""Error pages in Sigap's layout, in the visitor's language, and 503 when a part is down.

A request that fails because PostgreSQL (or the Redis that holds the PIN-guess and sign-in
counts) cannot be reached answers 503 with Retry-After, never a traceback and never a 500: the
person is told to try again shortly, and nothing was half-written (each request's writes are
one transaction). docs/architecture.md#when-a-part-fails.
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [
        OperationalError,
        InterfaceError,
        RedisConnectionError,
        RedisTimeoutError,
    ]
    try:
        from psycopg_pool import PoolTimeout

        errors.append(PoolTimeout)
    except ImportError:  # pragma: no cover - psycopg_pool is installed with psycopg[pool]
        pass
    return tuple(errors)


OUTAGE = _outage_errors()


def is_outage(exc: BaseException | None) -> bool:
    """A service Sigap depends on is unreachable (as opposed to a bug, or a constraint)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OUTAGE) and not _is_query_error(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _is_query_error(exc: BaseException) -> bool:
    # Django's OperationalError also covers errors of a query on a live connection (a lock
    # timeout, "no such table" on SQLite): those are bugs or load, not an outage, unless the
    # connection is gone. psycopg says which: its OperationalError subclasses for a lost server.
    cause = exc.__cause__
    name = type(cause).__name__ if cause is not None else ""
    return isinstance(exc, DatabaseError) and name in {
        "LockNotAvailable",
        "QueryCanceled",
        "DeadlockDetected",
    }


def _wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or "application/json" in request.headers.get(
        "Accept", ""
    )


def _page(request, template: str, status: int, context: dict) -> HttpResponse:
    # Rendered without the request's context: it would read the session and the user, from the
    # database that may be the part that is down.
    html = render_to_string(template, {"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", "id"), **context})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def unavailable(request) -> HttpResponse:
    detail = _(
        "Layanan sedang gangguan sementara. Tidak ada data Anda yang tersimpan setengah; coba lagi dalam 30 detik."
    )
    if _wants_json(request):
        response = JsonResponse({"detail": detail}, status=503)
    else:
        response = _page(request, "errors/503.html", 503, {"detail": detail})
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request) -> HttpResponse:
    """handler500: a 503 for an outage, else the 500 page."""
    if is_outage(sys.exc_info()[1]):
        logger.warning("outage: %s answered 503", request.path)
        return unavailable(request)
    if _wants_json(request):
        return JsonResponse({"detail": _("Terjadi kesalahan di server. Kami sudah mencatatnya.")}, status=500)
    return _page(request, "errors/500.html", 500, {})


def not_found(request, exception=None) -> HttpResponse:
    """handler404, in the layout and the visitor's language."""
    if _wants_json(request):
        return JsonResponse({"detail": _("Tidak ditemukan.")}, status=404)
    return _page(request, "errors/404.html", 404, {"path": request.path})
