"""Realtime events to officers' queues and case pages (Channels), sent after commit, best effort.

Filled in by the officer-workspace issue.
"""


def broadcast_complaint_event_on_commit(complaint, *, event: str) -> None:
    """Tell the officers of the complaint's unit (and anyone on its case page) that it changed."""
