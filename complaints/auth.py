"""Officer sign-in with lock-out after repeated failures (per username and per address).

The counts live in the cache (Redis in production), so every app server shares them.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
MAX_FAILURES_PER_ADDRESS = 20


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"login:user:{username.lower().strip()}", f"login:addr:{address}"


def is_locked(username: str, address: str) -> bool:
    user_key, addr_key = _keys(username, address)
    counts = cache.get_many([user_key, addr_key])
    return counts.get(user_key, 0) >= MAX_FAILURES or counts.get(addr_key, 0) >= MAX_FAILURES_PER_ADDRESS


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        if not cache.add(key, 1, LOCK_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, LOCK_SECONDS)


def clear_failures(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


class LoginView(auth_views.LoginView):
    template_name = "complaints/officer/login.html"
    redirect_authenticated_user = True
    locked_message = _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit.")

    def _address(self) -> str:
        return self.request.META.get("REMOTE_ADDR", "")

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if is_locked(username, self._address()):
            # No password check while locked: a guess can teach nothing.
            context = self.get_context_data(form=self.form_class(request), locked=self.locked_message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request.POST.get("username", ""), self._address())
        return super().form_invalid(form)

    def form_valid(self, form):
        clear_failures(form.get_user().get_username(), self._address())
        return super().form_valid(form)
