"""Messages to and from people over SMS, WhatsApp and email: a generic engine (never imports complaints).

Outbound, for the domain:
- ``outbox.enqueue(channel=, recipient=, language=, template_key=, body=, content_sid=, variables=,
  reference=)`` writes the row in the caller's transaction and sends it after commit;
  ``outbox.enqueue_many`` does the same in bulk; ``outbox.messages_for(reference)`` lists a thing's
  messages, each with ``Message.reason`` (why it did not arrive, for officers).
- ``texts.register(key, texts={"id": …, "en": …}, placeholders=…)`` ships a default wording;
  ``texts.render(key, language=, channel=, values=)`` applies an administrator's MessageTemplate.
- ``contacts.opt_out / opt_in / is_opted_out(phone, channel)``; ``contacts.touch_inbound(phone,
  channel)`` opens WhatsApp's 24-hour free-text window.
Delivery: ``tasks.send_message`` (claim, send, record the SID) and the beat's ``tasks.requeue_stuck``
(or ``manage.py send_queued_messages`` from cron where no beat runs). Senders: Twilio, or the
console (the default). Webhooks at /webhooks/twilio/status/ and /webhooks/twilio/inbound/,
both signed (``signatures.is_valid_twilio_request``).
"""
