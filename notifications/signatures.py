"""X-Twilio-Signature: Twilio signs each webhook over the public URL and the POST parameters."""

from django.conf import settings
from twilio.request_validator import RequestValidator


def public_url(request) -> str:
    # Behind a proxy the app sees another host; Twilio signed the address it called.
    return settings.SIGAP_PUBLIC_URL + request.get_full_path()


def is_valid_twilio_request(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return validator.validate(public_url(request), request.POST.dict(), signature)
