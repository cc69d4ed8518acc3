"""complaint_submit, the one entry point every channel files through."""

import pytest
from django.utils import translation

from complaints.models import Complaint, Identity
from complaints.services import IntakeInvalid, complaint_submit
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "NIK must be 16 digits."), ("id", "NIK harus 16 angka.")]
)
def test_errors_come_in_the_complainants_language_whatever_is_active(language, expected):
    # An SMS webhook runs in the site's default language; the complainant chose theirs.
    with translation.override("id" if language == "en" else "en"), pytest.raises(IntakeInvalid) as refused:
        complaint_submit(channel="sms", data=valid(nik="123"), language=language)
    assert refused.value.errors["nik"] == [expected]
    assert (Complaint.objects.count(), Identity.objects.count()) == (0, 0)


def test_a_valid_complaint_is_filed_with_its_language_and_a_pin():
    complaint, pin = complaint_submit(channel="api", data=valid(), language="en-us")
    assert complaint.language == "en" and len(pin) == 6
    assert complaint.identity.phone == "+6281234567890"
