"""404, 500 and 503 in Sigap's layout and the visitor's language, never Django's defaults or a
traceback (config/errors.py)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "link"),
    [("id", "Halaman tidak ditemukan", "Buat pengaduan"), ("en", "Page not found", "File a complaint")],
)
def test_an_unknown_page_answers_404_in_the_layout_and_the_visitors_language(language, title, link):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    page = response.content.decode()
    assert title in page and link in page and 'class="brand"' in page
    assert f'lang="{language}"' in page


def test_an_unknown_api_address_answers_json():
    response = Client().get("/api/v1/tidak-ada/")
    assert response.status_code == 404 and response.json() == {"detail": "Tidak ditemukan."}


@pytest.mark.parametrize(
    ("language", "title"),
    [("id", "Terjadi kesalahan di server"), ("en", "Something went wrong on the server")],
)
def test_a_bug_answers_500_in_the_layout_without_a_traceback(settings, language, title):
    settings.ROOT_URLCONF = "tests.error_urls"
    response = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert title in page and 'class="brand"' in page
    assert "Traceback" not in page and "a bug" not in page and "RuntimeError" not in page


def test_a_lost_database_answers_503_with_retry_after_not_500(settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/database-gone/")
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    page = response.content.decode()
    assert "Temporarily unavailable" in page and "Connection refused" not in page
