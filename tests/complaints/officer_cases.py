"""Cases and clients for the officer-workspace tests (roles, queue, case page, identity)."""

from django.core.files.base import ContentFile
from django.test import Client

from complaints.models import Evidence, State
from tests.complaints.intake_data import PDF
from tests.complaints.lifecycle import complaint_in


def as_user(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def with_evidence(complaint):
    Evidence.objects.create(
        complaint=complaint,
        file=ContentFile(PDF, name="surat.pdf"),
        original_name="surat.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        channel="web",
    )
    return complaint


def at_intake_desk(admin, **kwargs):
    """Waiting at the DKI Jakarta intake desk (submitted)."""
    return with_evidence(complaint_in(State.SUBMITTED, admin=admin, **kwargs))


def referred_to_ombudsman(admin, **kwargs):
    """Referred to Ombudsman RI Perwakilan DKI Jakarta."""
    return with_evidence(complaint_in(State.REFERRED, admin=admin, **kwargs))


def referred_to_kanwil(admin, **kwargs):
    """A HAM case referred to Kanwil Kementerian HAM DKI Jakarta."""
    kwargs.setdefault("kind", "ham")
    kwargs.setdefault("category", None)
    return with_evidence(complaint_in(State.REFERRED, admin=admin, **kwargs))
