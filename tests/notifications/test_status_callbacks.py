"""POST /webhooks/twilio/status/: signed, idempotent, never backwards."""

import pytest
from twilio.request_validator import RequestValidator

from notifications.models import Message, Status

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/status/"
TOKEN = "status-test-token-0123456789"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SIGAP_PUBLIC_URL = "https://sigap.example.go.id"


def sent_message(sid="SM" + "a" * 32):
    return Message.objects.create(
        channel="sms",
        recipient="+6281234567890",
        template_key="t",
        body="x",
        status=Status.SENT,
        twilio_sid=sid,
    )


def callback(client, params, *, signature=None):
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(f"https://sigap.example.go.id{URL}", params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(URL, params, **headers)


def test_callbacks_in_order_move_the_status_forward(client):
    message = sent_message()
    for status in ("sent", "delivered", "read"):
        assert (
            callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": status}).status_code == 204
        )
    message.refresh_from_db()
    assert message.status == Status.READ and message.delivered_at is not None


def test_a_late_or_replayed_callback_never_moves_the_status_backwards(client):
    message = sent_message()
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "delivered"})
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "sent"})
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "delivered"})
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"})
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.error_code == ""


def test_an_undelivered_callback_records_the_error_code(client):
    message = sent_message()
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "undelivered", "ErrorCode": "30005"})
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.UNDELIVERED, "30005")


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"], ids=["missing", "wrong"])
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(client, signature):
    message = sent_message()
    response = callback(
        client, {"MessageSid": message.twilio_sid, "MessageStatus": "delivered"}, signature=signature
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_signature_for_other_parameters_is_refused(client):
    message = sent_message()
    signed_for = {"MessageSid": message.twilio_sid, "MessageStatus": "sent"}
    signature = RequestValidator(TOKEN).compute_signature(f"https://sigap.example.go.id{URL}", signed_for)
    response = callback(
        client, {"MessageSid": message.twilio_sid, "MessageStatus": "read"}, signature=signature
    )
    assert response.status_code == 403


def test_callbacks_out_of_order_end_at_the_furthest_status_and_keep_the_delivery_time(client):
    message = sent_message()
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "delivered"})
    message.refresh_from_db()
    delivered_at = message.delivered_at
    for status in ("read", "sent", "delivered", "queued", "read"):
        assert (
            callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": status}).status_code == 204
        )
    message.refresh_from_db()
    assert message.status == Status.READ and message.delivered_at == delivered_at


def test_a_delivery_receipt_after_a_failure_report_wins(client):
    """Documented in notifications/status.py: proof that the phone got it beats a failure report."""
    message = sent_message()
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "failed", "ErrorCode": "30008"})
    message.refresh_from_db()
    assert message.status == Status.FAILED and "operator" in message.reason
    callback(client, {"MessageSid": message.twilio_sid, "MessageStatus": "delivered"})
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.reason == ""


def test_a_callback_for_an_unknown_message_is_accepted_and_changes_nothing(client):
    message = sent_message()
    response = callback(client, {"MessageSid": "SM" + "f" * 32, "MessageStatus": "failed"})
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_the_signature_is_checked_against_the_public_address_with_its_query(client, settings):
    # Behind a proxy Django sees another host; Twilio signed the public address it called.
    message = sent_message()
    params = {"MessageSid": message.twilio_sid, "MessageStatus": "delivered"}
    public = f"https://sigap.example.go.id{URL}?attempt=2"
    signed = RequestValidator(TOKEN).compute_signature(public, params)
    wrong_host = RequestValidator(TOKEN).compute_signature(f"http://testserver{URL}?attempt=2", params)
    assert client.post(f"{URL}?attempt=2", params, HTTP_X_TWILIO_SIGNATURE=wrong_host).status_code == 403
    assert client.post(f"{URL}?attempt=2", params, HTTP_X_TWILIO_SIGNATURE=signed).status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405
