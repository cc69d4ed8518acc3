"""What an app server does before serving (config/startup.py)."""

import gc

import pytest

from complaints.intake.services import complaint_submit
from config import startup
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


def test_a_complaints_insert_is_parsed_once_not_for_every_complaint(postgres, monkeypatch):
    from psycopg import _queries

    startup.cache_long_statements()
    complaint_submit(channel="web", data=valid())
    uncached = []
    parse = _queries._query2pg_client_nocache
    monkeypatch.setattr(_queries, "_query2pg_client_nocache", lambda *a: uncached.append(a[0]) or parse(*a))
    before = _queries._query2pg_client.cache_info()
    complaint_submit(channel="web", data=valid())
    after = _queries._query2pg_client.cache_info()
    # Every statement of the second filing, its 64-parameter INSERT too, came from the cache.
    assert uncached == [] and after.misses == before.misses and after.hits > before.hits


def test_the_server_freezes_what_it_loaded_before_serving():
    frozen = gc.get_freeze_count()
    try:
        startup.freeze_what_lives_forever()
        assert gc.get_freeze_count() > max(frozen, 50_000)
    finally:
        gc.unfreeze()
