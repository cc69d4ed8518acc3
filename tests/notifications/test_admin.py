"""Administrators keep the outbox running without reading what went to whom."""

import pytest
from django.test import Client

from complaints.intake.services import complaint_submit
from notifications.models import Message, OptOut
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


def test_the_outbox_admin_masks_recipients_and_shows_no_texts(administrator):
    complaint, pin = complaint_submit(channel="web", data=valid(confidentiality="rahasia"))
    message = Message.objects.get(reference=f"complaint:{complaint.pk}")
    OptOut.objects.create(phone="+6281299998888", channel="sms")
    admin = Client()
    admin.force_login(administrator)
    pages = [
        admin.get("/admin/notifications/message/"),
        admin.get(f"/admin/notifications/message/{message.pk}/change/"),
        admin.get("/admin/notifications/optout/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "+6281234567890" not in html and "+6281299998888" not in html
        assert pin not in html and complaint.tracking_code not in html.replace("complaint:", "")
    assert "+62812•••••890" in pages[0].content.decode()
