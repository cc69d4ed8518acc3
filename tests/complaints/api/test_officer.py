"""The officers' API: GET /api/v1/complaints/ (the queue's order, filters and keyset pages) and
GET /api/v1/complaints/{id}/, with session or token authentication."""

import datetime

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from complaints.models import VulnerableGroup
from tests.factories import ComplaintFactory, unit

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    api = APIClient()
    _token, key = AuthToken.objects.create(user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_is_the_queue_order_with_keyset_pages(intake_officer):
    now = timezone.now()
    dated = [ComplaintFactory(due_at=now + datetime.timedelta(hours=h)) for h in (5, -3, 1)]
    undated = ComplaintFactory(due_at=None)
    api = api_for(intake_officer)
    first = api.get("/api/v1/complaints/", {"page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [dated[1].pk, dated[2].pk]
    second = api.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [dated[0].pk, undated.pk]
    assert second["next"] is None
    assert "count" not in first  # no COUNT(*) of the whole table


@pytest.mark.parametrize(
    ("params", "which"),
    [
        ({"kind": "ham"}, "ham"),
        ({"channel": "whatsapp"}, "whatsapp"),
        ({"overdue": "true"}, "late"),
        ({"assignee": "me"}, "mine"),
        ({"q": "ABCD-2345"}, "code"),
        ({"q": "sertifikat"}, "text"),
        ({"regency": "31.74"}, "regency"),
        ({"vulnerable_group": "GROUP"}, "vulnerable"),
    ],
)
def test_the_list_takes_the_queues_filters(intake_officer, params, which):
    group = VulnerableGroup.objects.first()
    cases = {
        "ham": ComplaintFactory(kind="ham", category=None),
        "whatsapp": ComplaintFactory(channel="whatsapp"),
        "late": ComplaintFactory(due_at=timezone.now() - datetime.timedelta(hours=2)),
        "mine": ComplaintFactory(assignee=intake_officer),
        "code": ComplaintFactory(tracking_code="ABCD2345"),
        "text": ComplaintFactory(description="Sertifikat tanah tidak kunjung terbit."),
        "regency": ComplaintFactory(regency_id="31.74"),
        "vulnerable": ComplaintFactory(),
    }
    cases["vulnerable"].vulnerable_groups.set([group])
    params = {k: (group.pk if v == "GROUP" else v) for k, v in params.items()}
    assert ids(api_for(intake_officer).get("/api/v1/complaints/", params)) == [cases[which].pk]


def test_another_units_cases_are_neither_listed_nor_found(intake_officer, outsider):
    ours = ComplaintFactory()
    theirs = ComplaintFactory(province_id="32", regency_id=None, unit=unit("intake", "32"))
    api = api_for(intake_officer)
    assert ids(api.get("/api/v1/complaints/")) == [ours.pk]
    assert api.get(f"/api/v1/complaints/{theirs.pk}/").status_code == 404
    assert ids(api_for(outsider).get("/api/v1/complaints/")) == []


def test_a_confidential_identity_never_appears_in_the_list_or_unrevealed_detail(intake_officer):
    secret = ComplaintFactory(confidentiality="rahasia", identity__name="Rahasia Wibowo")
    open_case = ComplaintFactory(identity__name="Terbuka Santoso")
    api = api_for(intake_officer)
    listing = api.get("/api/v1/complaints/").content.decode()
    assert "Rahasia Wibowo" not in listing and "Terbuka Santoso" not in listing
    assert api.get(f"/api/v1/complaints/{secret.pk}/").json()["identity"] is None
    assert api.get(f"/api/v1/complaints/{open_case.pk}/").json()["identity"]["name"] == "Terbuka Santoso"


def test_the_list_takes_a_fixed_number_of_queries(intake_officer, django_assert_max_num_queries):
    groups = list(VulnerableGroup.objects.all()[:2])
    for i in range(120):
        complaint = ComplaintFactory(assignee=intake_officer if i % 2 else None)
        if i % 3 == 0:
            complaint.vulnerable_groups.set(groups)
    api = api_for(intake_officer)
    # 7: knox's token authentication reads the token (with its user), then the officer's other
    # tokens, to remove expired ones.
    with django_assert_max_num_queries(7):
        response = api.get("/api/v1/complaints/", {"page_size": 100})
    assert len(response.json()["results"]) == 100


def test_a_bad_page_size_or_cursor_is_a_400_not_a_server_error(intake_officer):
    ComplaintFactory()
    api = api_for(intake_officer)
    # Refused by name rather than silently read as the first page of 50 (tests/complaints/api/test_bad_input.py).
    assert set(api.get("/api/v1/complaints/", {"page_size": "banyak"}).json()["errors"]) == {"page_size"}
    assert set(api.get("/api/v1/complaints/", {"cursor": "%%%"}).json()["errors"]) == {"cursor"}
    # A filter it cannot read is a 400, not a silently unfiltered list.
    bad = api.get("/api/v1/complaints/", {"category": "bukan-angka", "state": "terbang"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"category", "state"}


def test_an_officer_reveals_a_confidential_identity_through_the_api_with_a_reason(
    intake_officer, administrator, outsider
):
    from complaints.models import IdentityReveal

    secret = ComplaintFactory(confidentiality="rahasia", identity__name="Rahasia Wibowo")
    anonymous = ComplaintFactory(confidentiality="anonim", identity=None)
    api = api_for(intake_officer)
    url = f"/api/v1/complaints/{secret.pk}/identity/"
    assert api.post(url, {"reason": " "}, format="json").status_code == 400
    assert not IdentityReveal.objects.exists()
    revealed = api.post(url, {"reason": "Konfirmasi nomor telepon"}, format="json")
    assert revealed.status_code == 200 and revealed.json()["identity"]["name"] == "Rahasia Wibowo"
    assert api.get(f"/api/v1/complaints/{secret.pk}/").json()["identity"]["name"] == "Rahasia Wibowo"
    assert IdentityReveal.objects.get().reason == "Konfirmasi nomor telepon"
    # Administrators manage, they do not read identities; another unit does not find the case.
    assert api_for(administrator).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_for(outsider).post(url, {"reason": "x"}, format="json").status_code == 404
    anon_url = f"/api/v1/complaints/{anonymous.pk}/identity/"
    assert api.post(anon_url, {"reason": "x"}, format="json").status_code == 403
    assert APIClient().post(url, {"reason": "x"}, format="json").status_code in (401, 403)
    assert IdentityReveal.objects.count() == 1


def test_each_listed_row_is_what_the_declared_fields_give(intake_officer):
    """The list writes its rows by hand for speed; they must not drift from the schema's fields."""
    from complaints.api.serializers import ComplaintListSerializer

    complaints = [
        ComplaintFactory(due_at=timezone.now() - datetime.timedelta(hours=2), assignee=intake_officer),
        ComplaintFactory(due_at=None, kind="ham", category=None, agency=None, agency_name="Lapas Kelas I"),
    ]
    listed = {row["id"]: row for row in api_for(intake_officer).get("/api/v1/complaints/").json()["results"]}
    for complaint in complaints:
        declared = ComplaintListSerializer(complaint).data  # one instance: DRF's own field-by-field path
        assert listed[complaint.pk] == declared
    assert (
        listed[complaints[0].pk]["is_overdue"] is True
        and listed[complaints[1].pk]["agency"] == "Lapas Kelas I"
    )


# --- API tokens (django-rest-knox): stored as a digest, expiring, revocable --------------------------
def test_a_token_works_as_the_token_header_and_its_key_is_not_stored(intake_officer):
    from django.db import connection

    ComplaintFactory()
    token, key = AuthToken.objects.create(intake_officer)
    assert len(ids(APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/complaints/"))) == 1
    table = connection.ops.quote_name(AuthToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - the model's own table
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert all(key not in str(value) for row in rows for value in row)
    assert (
        token.digest != key
        and token.token_key == key[: len(token.token_key)]
        and len(key) > len(token.token_key)
    )
    # It expires: SIGAP_API_TOKEN_DAYS (90 by default) from now, and use does not extend it.
    lifetime = token.expiry - token.created
    assert datetime.timedelta(days=89) < lifetime <= datetime.timedelta(days=90)
    token.refresh_from_db()
    assert token.expiry - token.created == lifetime


def test_an_expired_token_is_refused_with_401(intake_officer):
    _token, key = AuthToken.objects.create(intake_officer, expiry=datetime.timedelta(seconds=-1))
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/complaints/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.exists()  # knox removes it on sight


def test_a_revoked_token_is_refused_with_401(intake_officer):
    from complaints.workspace.services import api_token_revoke

    token, key = AuthToken.objects.create(intake_officer)
    _other, kept = AuthToken.objects.create(intake_officer)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/complaints/").status_code == 200
    assert api_token_revoke(user=intake_officer, token_key=token.token_key) == 1
    assert api.get("/api/v1/complaints/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION=f"Token {kept}").get("/api/v1/complaints/").status_code == 200


def test_a_wrong_token_or_an_inactive_officers_token_is_refused(intake_officer):
    _token, key = AuthToken.objects.create(intake_officer)
    wrong = key[:-1] + ("1" if key.endswith("0") else "0")  # same prefix, so knox compares digests
    assert APIClient(HTTP_AUTHORIZATION=f"Token {wrong}").get("/api/v1/complaints/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Token nonsense").get("/api/v1/complaints/").status_code == 401
    intake_officer.is_active = False
    intake_officer.save()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/complaints/").status_code == 401


def test_an_identity_revealed_with_a_token_is_logged_as_the_tokens_officer(intake_officer):
    from complaints.models import IdentityReveal

    secret = ComplaintFactory(confidentiality="rahasia", identity__name="Rahasia Wibowo")
    revealed = api_for(intake_officer).post(
        f"/api/v1/complaints/{secret.pk}/identity/", {"reason": "Konfirmasi"}, format="json"
    )
    assert revealed.status_code == 200
    assert IdentityReveal.objects.get().officer == intake_officer


@pytest.mark.parametrize("key", ["null,null", "abc", "1.5", "-1", "%D9%A3"])
def test_a_case_named_by_anything_but_its_number_is_not_found(key, administrator):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(administrator)
    assert api.get(f"/api/v1/complaints/{key}/").status_code == 404
