"""Officer sign-in, and the page a locked-out sign-in gets.

The lock-out itself is django-axes' (settings AXES_*, config/settings.py): its backend comes first
in AUTHENTICATION_BACKENDS, so every login form is covered, the admin's as well as /petugas/masuk/.
Failures are counted in the cache (Redis in production, so every app server shares them) per
username + client address, per client address (complaints.limits.client_address) and per
username across addresses; a count lives 15 minutes from its latest failure. Five failures lock
the pair; twenty lock the address (one address trying many usernames) or the username (one
account tried from many addresses: guessing spread over a botnet stays slow). Locked means refused
for 15 minutes without a password check. The wider limits are four times the pair's so that a
stranger needs twenty tries to lock an officer out from everywhere, while the officer's own typos
lock only their own address, and only after five (`LockoutHandler`). AxesMiddleware then answers
with `locked_out` below.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import (
    get_client_ip_address,
    get_client_parameters,
    get_client_user_agent,
    get_client_username,
    make_cache_key_list,
)
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_MESSAGE = _(
    "Terlalu banyak percobaan masuk yang gagal. Akun ini dikunci sementara dari alamat Anda; "
    "coba lagi dalam 15 menit."
)


# One address (many usernames) or one username (many addresses) is locked at this many failures;
# the pair (username + address) at AXES_FAILURE_LIMIT.
WIDE_FAILURE_LIMIT = 20


class LockoutHandler(AxesCacheHandler):
    """axes' cache handler, with one limit per kind of count: axes compares the largest of the
    pair's, the address's and the username's counts with its one AXES_FAILURE_LIMIT; here the
    address's and the username's count in proportion to WIDE_FAILURE_LIMIT."""

    def get_failures(self, request, credentials: dict | None = None) -> float:
        parameters = get_client_parameters(
            get_client_username(request, credentials),
            get_client_ip_address(request),
            get_client_user_agent(request),
            request,
            credentials,
        )
        wide = settings.AXES_FAILURE_LIMIT / WIDE_FAILURE_LIMIT
        counts = [
            self.cache.get(key, default=0) * (1 if len(pair) > 1 else wide)
            for pair, key in zip(parameters, make_cache_key_list(parameters), strict=True)
        ]
        return max(counts, default=0)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes locks when its largest raw count reaches the limit; decide by the weighted counts.
        if request is not None and getattr(request, "axes_locked_out", False):
            request.axes_locked_out = self.is_locked(request, credentials)


class LockoutBackend(AxesStandaloneBackend):
    """axes' backend (it refuses while locked; Django's ModelBackend, next in the list, checks the
    password). A call without a request has no address and is no sign-in over HTTP: the test
    client's login() and a shell's authenticate(). axes refuses those with an error; here they go
    on to Django's backend, uncounted. Every login form passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginView(auth_views.LoginView):
    template_name = "complaints/officer/login.html"
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page saying so plainly, 429, for every login form."""
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "locked": LOCKED_MESSAGE, "next": request.POST.get("next", "")}
    return render(request, LoginView.template_name, context, status=429)
