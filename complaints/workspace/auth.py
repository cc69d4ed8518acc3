"""Officer sign-in with lock-out after repeated failures, and officers' own API tokens.

Lock-out (counts in the cache: Redis in production, so every app server shares them):
1. Five failures for one username from one address within 15 minutes lock that pair for
   15 minutes from the fifth failure. Keyed on the pair, not the username alone, so that
   anyone on the internet cannot lock a known officer out of their own account.
2. Twenty failures from one address within 15 minutes (one address trying many usernames)
   lock that address for 15 minutes.
It is enforced in the authentication backend, so the admin's login form is covered as well as
/petugas/masuk/; the officers' page also says so plainly (429).
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _counters(username: str, address: str) -> list[tuple[str, int]]:
    # Hash the username: cache keys stay short and safe whatever was typed.
    who = hashlib.sha256(username.lower().strip().encode()).hexdigest()[:32]
    return [
        (f"login:pair:{who}:{address}", MAX_FAILURES),
        (f"login:addr:{address}", MAX_FAILURES_PER_ADDRESS),
    ]


def is_locked(username: str, address: str) -> bool:
    locks = [f"{key}:locked" for key, _limit in _counters(username, address)]
    return any(cache.get_many(locks).values())


def record_failure(username: str, address: str) -> None:
    for key, limit in _counters(username, address):
        if cache.add(key, 1, WINDOW_SECONDS):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, WINDOW_SECONDS)
                count = 1
        if count >= limit:
            cache.set(f"{key}:locked", 1, LOCK_SECONDS)
            cache.delete(key)


def clear_failures(username: str, address: str) -> None:
    cache.delete(_counters(username, address)[0][0])


class LockoutModelBackend(ModelBackend):
    """Django's model backend, refusing while locked and counting each failure."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username", "")
        address = client_address(request)
        if is_locked(username or "", address):
            return None  # no password check while locked: a guess can teach nothing
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username or "", address)
        else:
            clear_failures(username or "", address)
        return user


class LoginView(auth_views.LoginView):
    template_name = "complaints/officer/login.html"
    redirect_authenticated_user = True
    locked_message = _(
        "Terlalu banyak percobaan masuk yang gagal. Akun ini dikunci sementara dari alamat Anda; "
        "coba lagi dalam 15 menit."
    )

    def post(self, request, *args, **kwargs):
        if is_locked(request.POST.get("username", ""), client_address(request)):
            context = self.get_context_data(form=self.form_class(request), locked=self.locked_message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        # The failure that sets the lock says so at once, not on the next try.
        if is_locked(self.request.POST.get("username", ""), client_address(self.request)):
            context = self.get_context_data(form=form, locked=self.locked_message)
            return self.render_to_response(context, status=429)
        return super().form_invalid(form)
