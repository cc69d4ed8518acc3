"""The project's URLs plus two views that fail, for the error pages' tests (tests/test_error_pages.py)."""

from django.db import OperationalError
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [*project_urlpatterns, path("boom/", boom), path("database-gone/", database_gone)]
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
