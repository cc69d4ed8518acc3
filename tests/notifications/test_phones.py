"""One phone parser for every number Sigap reads: typed into a form or sent by Twilio."""

import pytest
from django.test import RequestFactory

from complaints.intake.forms import normalise_phone
from notifications.inbound import parse_twilio


@pytest.mark.parametrize(
    "written", ["0812-3456-7890", "62 812 3456 7890", "+62 812-3456-7890", "(0812) 3456 7890"]
)
def test_the_form_and_an_inbound_message_read_a_number_the_same_way(written):
    sender = parse_twilio(RequestFactory().post("/", {"From": written, "MessageSid": "SM1"}).POST)
    assert normalise_phone(written) == sender.phone == "+6281234567890"
