"""The dashboard (/petugas/dasbor/) and the CSV export of the queue (/petugas/ekspor.csv)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .exports import complaint_export_lines
from .models import Role
from .selectors_dashboard import dashboard_for, queue_for_export


def _officer_required(view):
    """Logged in (else to the login page) and holding an officer role (else 403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.role or (user.role != Role.ADMINISTRATOR and user.unit_id is None):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _unit_param(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@require_GET
@_officer_required
def dashboard(request):
    figures = dashboard_for(request.user, unit_id=_unit_param(request.GET.get("unit")))
    return render(request, "complaints/officer/dashboard.html", {"dashboard": figures})


@require_GET
@_officer_required
def export_csv(request):
    complaints = queue_for_export(request.user, params=request.GET)
    response = StreamingHttpResponse(
        complaint_export_lines(officer=request.user, complaints=complaints),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="sigap-antrean-{stamp}.csv"'
    # Personal data: never kept by a shared cache or the browser's disk cache.
    response["Cache-Control"] = "no-store, private"
    return response
