"""What the browser is told, and how long a signed-in session lasts.

- ``ContentSecurityPolicyMiddleware``: every response carries ``POLICY`` (no inline script or
  style anywhere). A template that cannot do without one inline script (drf-spectacular's Swagger
  UI page, templates/drf_spectacular/swagger_ui.html) marks it ``nonce="{{ request.csp_nonce }}"``;
  only a response that printed the nonce gets it added to its ``script-src``.
- Signed-in sessions (officers and the admin) end after ``SIGAP_SESSION_IDLE_MINUTES`` without a
  request and ``SIGAP_SESSION_MAX_HOURS`` after sign-in, whatever the activity.
  The sign-in (Django's ``user_logged_in``) and ``SessionLimitMiddleware`` (each request) write
  the sign-in and last-request times into the session;
  ``SessionStore`` (``SESSION_ENGINE = "config.security"``: Django's database sessions) reads a
  session past either limit as empty and deletes it. Every reader of a session goes through the
  store (the pages, the API's session authentication and Channels' ``AuthMiddlewareStack`` on
  /ws/queue/), so an expired session opens no websocket either. A complainant's tracking session
  is not signed in and keeps its own 30-minute clock (complaints/public/views.py).
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self' ws: wss:",  # the live queue's websocket, /ws/queue/
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def policy(nonce: str | None = None) -> str:
    directives = dict(POLICY)
    if nonce:
        directives["script-src"] += f" 'nonce-{nonce}'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


STRICT_POLICY = policy()


class _Nonce:
    """``request.csp_nonce``: made the first time a template prints it, and only then."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = secrets.token_urlsafe(16)
        return self.value


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = nonce = _Nonce()
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = (
                policy(nonce.value) if nonce.value else STRICT_POLICY
            )
        return response


# --- signed-in sessions --------------------------------------------------------------------------
SIGNED_IN_AT = "sigap_signed_in_at"  # time.time() of the sign-in
SEEN_AT = "sigap_seen_at"  # time.time() of the latest request
# The last-request time is rewritten at most this often: not a session write on every request.
SEEN_EVERY_SECONDS = 60


def session_expired(data, now: float) -> bool:
    """True for a signed-in session past its idle or its absolute limit. A session that is not
    signed in, or not yet stamped by SessionLimitMiddleware, is left alone."""
    if data.get(SESSION_KEY) is None:
        return False
    signed_in, seen = data.get(SIGNED_IN_AT), data.get(SEEN_AT)
    if not isinstance(signed_in, int | float) or not isinstance(seen, int | float):
        return False
    return (
        now - seen > settings.SIGAP_SESSION_IDLE_MINUTES * 60
        or now - signed_in > settings.SIGAP_SESSION_MAX_HOURS * 3600
    )


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, where a signed-in session past its limits reads as empty."""

    expired = False  # this request's session was just ended here

    def load(self):
        data = super().load()
        if session_expired(data, time.time()):
            self.delete()
            return self._ended()
        return data

    async def aload(self):
        data = await super().aload()
        if session_expired(data, time.time()):
            await self.adelete()
            return self._ended()
        return data

    # A new session's key is 32 random characters, inserted with force_insert by create(), which
    # draws again on the rare clash (CreateError). Django looks the key up first as well: a query
    # for nothing on every new session (each complaint filed through the web form makes one).
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    async def _aget_new_session_key(self) -> str:
        return self._get_new_session_key()

    def save(self, must_create=False):
        """Django's save, without the transaction it opens around its one INSERT or UPDATE when
        none is open: alone, the statement is atomic already, and the transaction cost two more
        round trips for every session written (each complaint filed through the web form writes
        one). Inside a caller's transaction Django's own save keeps its savepoint."""
        if self.session_key is None:
            return self.create()
        using = router.db_for_write(self.model)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session(no_load=must_create))
        try:
            obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None  # the key is taken: create() draws another
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None  # the row is gone (the session ended meanwhile)
            raise

    def _ended(self) -> dict:
        self.expired = True
        self._session_key = None  # anything written later goes to a new session
        return {}


def _signed_in(sender, request, user, **kwargs) -> None:
    """Both clocks start at every sign-in (a session kept across a second sign-in included)."""
    if request is None or not hasattr(request, "session"):  # Channels' own login() passes none
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


# Connected wherever sessions are used: this module is the SESSION_ENGINE, imported before any login.
user_logged_in.connect(_signed_in, dispatch_uid="sigap-session-signed-in")


class SessionLimitMiddleware:
    """Notes a signed-in session's latest request (after AuthenticationMiddleware and
    MessageMiddleware), and tells a person whose session has just ended why they are asked to
    sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._seen(request)
        return self.get_response(request)

    @staticmethod
    def _seen(request) -> None:
        session = request.session
        if session.get(SESSION_KEY) is None:
            if getattr(session, "expired", False) and "text/html" in request.headers.get("Accept", ""):
                messages.info(
                    request,
                    _(
                        "Sesi Anda telah berakhir (terlalu lama tidak aktif, atau batas lama sesi "
                        "tercapai). Silakan masuk lagi."
                    ),
                )
            return
        now = time.time()
        if SIGNED_IN_AT not in session:  # signed in before these clocks existed: they start now
            session[SIGNED_IN_AT] = now
            session[SEEN_AT] = now
        elif now - session.get(SEEN_AT, 0) >= SEEN_EVERY_SECONDS:
            session[SEEN_AT] = now
