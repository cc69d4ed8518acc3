"""What the complainant hears, and when: outbox rows written in the same transaction as the step.

Filled in by the SMS/WhatsApp issue (notifications). Until then these write nothing.
"""


def enqueue_received(complaint, *, pin: str) -> None:
    """The complaint was filed: tracking code and PIN, on the channel the complainant chose."""


def enqueue_for_transition(complaint, log) -> None:
    """A workflow step the complainant should hear about (see DESIGN.md)."""


def enqueue_thread_message(complaint, *, body: str) -> None:
    """An officer wrote to the complainant from the case page."""


def enqueue_for_transitions(pairs) -> None:
    """The same for many (complaint, log) pairs at once (the timer sweep)."""
    for complaint, log in pairs:
        enqueue_for_transition(complaint, log)
