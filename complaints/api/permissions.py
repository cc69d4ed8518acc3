"""Who may call the officer API: the same rule as the officer pages (complaints.permissions)."""

from rest_framework.permissions import BasePermission

from complaints.permissions import is_officer


class IsOfficer(BasePermission):
    """A signed-in officer (401 without credentials, 403 for an account with no officer role)."""

    def has_permission(self, request, view):
        return bool(request.user and is_officer(request.user))
