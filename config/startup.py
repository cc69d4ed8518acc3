"""What an app server does once, after Django is set up and before it serves a request."""

from __future__ import annotations

import gc

# psycopg turns a query's %s placeholders into the server's form on every execution, and keeps the
# result only for queries of at most 50 parameters (psycopg._queries.MAX_CACHED_STATEMENT_PARAMS).
# A complaint's INSERT has 64, so it was parsed again for every complaint filed: 7 % of a create's
# CPU under gunicorn (issue 17). Sigap's statements are few and fixed; the cache holds them all.
STATEMENT_PARAMS_CACHED = 128


def cache_long_statements() -> None:
    from psycopg import _queries

    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", STATEMENT_PARAMS_CACHED) < STATEMENT_PARAMS_CACHED:
        _queries.MAX_CACHED_STATEMENT_PARAMS = STATEMENT_PARAMS_CACHED


def freeze_what_lives_forever() -> None:
    """Load every view module, then move everything loaded so far (Django, the URL map, the
    templates' code) out of the garbage collector's sight: it lives as long as the process, and
    the collector's full passes stopped walking those ~120,000 objects on every request's
    allocations (in a profile of the queue page, collection pauses were a fifth of its time)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()


def prepare_server() -> None:
    cache_long_statements()
    freeze_what_lives_forever()
