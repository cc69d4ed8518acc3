"""What an app server does before serving (config/startup.py)."""

import gc

import pytest

from complaints.intake.services import complaint_submit
from complaints.models import Complaint
from config import startup
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


def test_a_complaints_full_update_is_parsed_once_not_for_every_step(postgres, monkeypatch):
    # Every workflow step saves the whole row of its case: an UPDATE with 65 parameters, more
    # than psycopg caches the parsing of by itself.
    from psycopg import _queries

    startup.cache_long_statements()
    complaint, _ = complaint_submit(channel="web", data=valid())
    Complaint.objects.get(pk=complaint.pk).save()
    uncached = []
    parse = _queries._query2pg_client_nocache
    monkeypatch.setattr(_queries, "_query2pg_client_nocache", lambda *a: uncached.append(a[0]) or parse(*a))
    before = _queries._query2pg_client.cache_info()
    Complaint.objects.get(pk=complaint.pk).save()
    after = _queries._query2pg_client.cache_info()
    assert uncached == [] and after.misses == before.misses and after.hits >= before.hits + 2


def test_the_server_freezes_what_it_loaded_before_serving():
    frozen = gc.get_freeze_count()
    try:
        startup.freeze_what_lives_forever()
        assert gc.get_freeze_count() > max(frozen, 50_000)
    finally:
        gc.unfreeze()
