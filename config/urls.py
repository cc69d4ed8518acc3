from django.contrib import admin
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("complaints.api.urls")),
    path("webhooks/", include("notifications.urls")),
    path("petugas/", include("complaints.workspace.urls")),
    path("kinerja/", include("complaints.scorecard.urls")),
    path("", include("complaints.public.urls")),
]

handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
