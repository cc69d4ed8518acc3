"""Officer sign-in, and the page a locked-out sign-in gets.

The lock-out itself is django-axes' (settings AXES_*, config/settings.py): its backend comes first
in AUTHENTICATION_BACKENDS, so every login form is covered, the admin's as well as /petugas/masuk/.
Failures are counted in the cache (Redis in production, so every app server shares them) per
username + client address and per client address (complaints.limits.client_address); a count
lives 15 minutes from its latest failure, and at five the pair or the address is locked for 15
minutes, refused without a password check. Keyed on the pair and the address, never
the username alone, so that anyone on the internet cannot lock a known officer out of their own
account. AxesMiddleware then answers with `locked_out` below.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_MESSAGE = _(
    "Terlalu banyak percobaan masuk yang gagal. Akun ini dikunci sementara dari alamat Anda; "
    "coba lagi dalam 15 menit."
)


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
