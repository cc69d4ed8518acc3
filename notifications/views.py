"""Twilio webhooks. Every request's signature is checked before anything is read or changed."""

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse

from . import inbound
from .signatures import is_valid_twilio_request
from .status import record_status


@csrf_exempt  # Twilio cannot hold a CSRF token; the request signature authenticates it instead.
@require_POST
def twilio_status(request):
    if not is_valid_twilio_request(request):
        return HttpResponseForbidden("invalid signature")
    record_status(
        sid=request.POST.get("MessageSid", ""),
        twilio_status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt  # authenticated by the request signature, as above
@require_POST
def twilio_inbound(request):
    """An SMS or WhatsApp message to Sigap; the answer is TwiML."""
    if not is_valid_twilio_request(request):
        return HttpResponseForbidden("invalid signature")
    message = inbound.parse_twilio(request.POST)
    if not message.sid or not request.POST.get("From"):
        # Twilio always sends both; without a MessageSid a retry could not be recognised.
        return HttpResponseBadRequest("MessageSid and From are required")
    reply = inbound.handle(message)
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return HttpResponse(str(twiml), content_type="text/xml; charset=utf-8")
