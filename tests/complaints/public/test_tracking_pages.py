"""/lacak/: code + PIN → status, plain timeline, thread; the complainant's own steps."""

import re

import pytest
from django.test import Client

from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, Evidence, State
from complaints.public.tracking import MAX_FAILURES_PER_CLIENT
from tests.complaints.intake_data import PDF, upload, valid
from workflow import engine
from workflow.engine import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    complaint, pin = complaint_submit(channel="web", data=valid())
    return complaint, pin


def track(client, complaint, pin):
    return client.post(
        "/lacak/",
        {"code": f"{complaint.tracking_code[:4]}-{complaint.tracking_code[4:]}".lower(), "pin": pin},
        follow=True,
    )


def test_the_right_pin_shows_the_status_and_what_happens_next(client, filed):
    complaint, pin = filed
    response = track(client, complaint, pin)
    page = response.content.decode()
    assert "Status: Diterima" in page
    assert "no-store" in response["Cache-Control"]
    assert "paling lambat 3 hari kerja" in page
    assert "Pengaduan diterima." in page


def test_a_wrong_pin_says_so_without_telling_whether_the_code_exists(client, filed):
    complaint, pin = filed
    wrong = track(client, complaint, "000000" if pin != "000000" else "111111").content.decode()
    unknown = client.post("/lacak/", {"code": "ZZZZ-ZZZZ", "pin": pin}).content.decode()
    message = "Kode lacak atau PIN tidak cocok"
    assert message in wrong and message in unknown
    assert "Status:" not in wrong


def test_guessing_pins_locks_the_code(client, filed):
    complaint, pin = filed
    for _ in range(5):
        track(client, complaint, "999999" if pin != "999999" else "888888")
    page = track(client, complaint, pin).content.decode()
    assert "Terlalu banyak percobaan" in page and "Status:" not in page


def test_behind_a_proxy_the_forwarded_address_is_the_guesser_counted(client, filed, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    complaint, pin = filed
    others = [complaint_submit(channel="web", data=valid())[0] for _ in range(5)]

    def via_proxy(address: str, claimed: str = "192.0.2.1"):
        return Client(REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR=f"{claimed}, {address}")

    # Wrong PINs spread over several codes (fewer than the per-code limit on each), each with
    # another address claimed by the client itself: the address our proxy appended is counted.
    for attempt in range(MAX_FAILURES_PER_CLIENT):
        target = others[attempt % len(others)]
        via_proxy("203.0.113.7", claimed=f"192.0.2.{attempt}").post(
            "/lacak/", {"code": target.tracking_code, "pin": f"{attempt:06d}"}
        )
    page = track(via_proxy("203.0.113.7", claimed="192.0.2.99"), complaint, pin).content.decode()
    assert "Terlalu banyak percobaan" in page and "Status:" not in page
    # Another complainant behind the same proxy is not held back.
    assert "Status: Diterima" in track(via_proxy("203.0.113.8"), complaint, pin).content.decode()


def test_the_timeline_never_shows_internal_notes_or_officer_names(client, filed, intake_officer):
    complaint, pin = filed
    intake_officer.first_name, intake_officer.last_name = "Intan", "Permatasari"
    intake_officer.save()
    engine.perform(
        complaint,
        "start_verification",
        actor=Actor.officer(intake_officer),
        via="web",
        note="RAHASIA-INTERNAL",
    )
    CaseMessage.objects.create(
        complaint=complaint, kind="internal", body="catatan-internal-xyz", channel="web"
    )
    page = track(client, complaint, pin).content.decode()
    assert "Pengaduan Anda mulai diverifikasi." in page
    for secret in ("RAHASIA-INTERNAL", "catatan-internal-xyz", "Permatasari", "intan"):
        assert secret not in page


def test_the_complainant_sends_missing_information_with_evidence_from_the_page(client, filed, intake_officer):
    complaint, pin = filed
    officer = Actor.officer(intake_officer)
    engine.perform(complaint, "start_verification", actor=officer, via="web")
    engine.perform(complaint, "request_info", actor=officer, via="web", message="Kirim foto KTP.")
    page = track(client, complaint, pin).content.decode()
    assert "Kirim foto KTP." in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/lacak/aksi/provide_info/",
        {
            "message": "<b>Ini</b> KTP saya.",
            "expected_state": "awaiting_info",
            "evidence": [upload("ktp.pdf", PDF)],
        },
        follow=True,
    )
    assert "Terima kasih" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert complaint.messages.filter(kind="from_complainant").get().body == "Ini KTP saya."
    assert Evidence.objects.filter(complaint=complaint).count() == 1


def test_steps_need_a_tracked_case(client, filed):
    complaint, _ = filed
    response = client.post("/lacak/aksi/withdraw/", {"message": "x"})
    assert response.status_code == 302 and response["Location"] == "/lacak/"
    assert Complaint.objects.get(pk=complaint.pk).state == State.SUBMITTED


def test_the_form_page_weighs_under_200_kb_with_its_assets(client):
    page = client.get("/lapor/")
    html = page.content.decode()
    total = len(page.content)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        response = client.get(asset)
        total += len(b"".join(response.streaming_content) if response.streaming else response.content)
    assert total < 200 * 1024, total
    assert "<script" not in html  # works without JavaScript
