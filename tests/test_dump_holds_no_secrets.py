"""A dump of the database and the log, after confidential and anonymous complaints were filed on
every channel and their messages sent, holds no PIN and none of the complainants' identifiers
(docs/domain.md#confidentiality; README: Keys)."""

import json
import logging
import re
import subprocess

import pytest
from django.db import connection
from rest_framework.test import APIClient

from complaints.models import Complaint
from tests.complaints.intake_data import valid
from tests.complaints.sms.test_lapor import ANONYMOUS_REPORT, code_and_pin
from tests.notifications.inbound_phone import Phone

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WEB = {
    "name": "Ratna Kusumawati",
    "nik": "3171045506880002",
    "phone": "0813-2222-3333",
    "email": "ratna.k@example.id",
}
API = {
    "name": "Yohanes Situmorang",
    "nik": "1271021203790004",
    "phone": "0857-4444-5555",
    "email": "yohanes@example.id",
}
NIP = "198805062010012003"
SMS_PHONE = "+6281366667777"


def pg_dump() -> str:
    db = connection.settings_dict
    command = [
        "pg_dump",
        "--data-only",
        "--no-owner",
        "-h",
        db["HOST"] or "127.0.0.1",
        "-p",
        str(db["PORT"] or 5432),
    ]
    if db["USER"]:
        command += ["-U", db["USER"]]
    return subprocess.run(
        [*command, db["NAME"]], check=True, capture_output=True, text=True, timeout=120
    ).stdout


def forms_of(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    national = digits[1:] if digits.startswith("0") else digits[2:]
    return [phone, f"+62{national}", f"62{national}", f"0{national}", national]


def test_a_dump_and_the_log_hold_no_pin_and_no_identifier(
    client, fake_twilio, twilio_webhook, caplog, postgres
):
    caplog.set_level(logging.DEBUG)
    pins = []
    # 1. A confidential ASN on the web form, typing identifiers into the account as well.
    typed = f"Saya {WEB['name']}, NIP {NIP}, HP {WEB['phone']}: atasan meminta imbalan."
    web = valid(
        **{**WEB, "confidentiality": "rahasia", "reporter_type": "asn", "nip": NIP,
           "own_agency_name": "Dinas Kependudukan DKI Jakarta", "description": typed}
    )  # fmt: skip
    response = client.post("/lapor/", web, follow=True)
    pins.append(re.search(r"\b(\d{6})\b", response.content.decode()).group(1))
    # 2. A confidential citizen through the API.
    answer = APIClient().post(
        "/api/v1/complaints/", valid(**{**API, "confidentiality": "rahasia"}), format="json"
    )
    assert answer.status_code == 201, answer.content
    pins.append(answer.json()["pin"])
    # 3. An anonymous report by SMS (LAPOR).
    texter = Phone(client, twilio_webhook.auth_token, number=SMS_PHONE)
    for line in ANONYMOUS_REPORT:
        texter.reply(line)
    pins.append(code_and_pin(texter.reply("YA"))[1])
    assert Complaint.objects.count() == 3
    # Every "received" SMS went out through the fake Twilio server, with its PIN.
    sent = [request.form.get("Body", "") for request in fake_twilio.sent]
    assert sum(any(pin in body for pin in pins) for body in sent) == 2

    dump = pg_dump()
    log = caplog.text
    # The dump holds the cases themselves (and the log speaks of them): only the secrets are missing.
    for complaint in Complaint.objects.all():
        assert complaint.tracking_code in dump
    assert "atasan meminta imbalan" in dump and "Tahanan di blok C" in dump
    assert log
    secrets = [
        *(value for person in (WEB, API) for value in (person["name"], person["nik"], person["email"])),
        *(form for person in (WEB, API) for form in forms_of(person["phone"])),
        *forms_of(SMS_PHONE),
        NIP,
        "Kusumawati",
        "Situmorang",
    ]
    for where, text in {"pg_dump": dump, "log": log}.items():
        for secret in secrets:
            assert secret not in text, (where, secret)
        for pin in pins:
            assert not re.search(rf"(?<![0-9A-Za-z]){pin}(?![0-9A-Za-z])", text), (where, "PIN", pin)
    assert json.dumps(WEB["name"]) not in dump
