"""The text messages Sigap answers with live in the translation catalogue like every other text:
each has its English, with the same placeholders, so a texter in English never gets Indonesian."""

import re

import pytest
from django.utils import translation

from complaints.sms import conversations, handlers
from notifications import inbound


@pytest.mark.parametrize(
    "texts",
    [
        conversations.Q_,
        conversations.LABELS,
        handlers.TEXTS,
        handlers.NOTES,
        inbound.REPLIES,
        handlers.FORMATS,
        handlers.NEXT_STEPS,
        handlers.STATUS_DETAILS,
        handlers.NEW_PIN_TEXTS,
    ],
    ids=[
        "lapor-conversation",
        "lapor-summary-labels",
        "replies",
        "case-notes",
        "keyword-replies",
        "command-formats",
        "next-steps",
        "status-details",
        "new-pin",
    ],
)
def test_every_text_message_has_its_english_with_the_same_placeholders(texts):
    for key, text in texts.items():
        with translation.override("id"):
            indonesian = str(text)
        with translation.override("en"):
            english = str(text)
        assert english != indonesian, f"{key}: no English in the catalogue"
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", indonesian)), key


def test_a_texter_in_english_is_answered_in_english():
    assert handlers.text("locked", True) == "Too many wrong attempts. Try again in an hour."
    assert inbound.reply_text("started", english=False) == "Pesan Sigap diaktifkan kembali untuk nomor ini."
    assert conversations.say("name", "en") == "Your full name?"
