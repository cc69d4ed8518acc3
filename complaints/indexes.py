"""Indexes that exist on PostgreSQL only.

The queue's search is full-text on PostgreSQL (a GIN index on the description's tsvector keeps
it fast at a million complaints). The embedded default, SQLite, has no GIN: there the index is
skipped (an empty statement) and the search falls back to a scan, which is fine at its scale.
One migration serves both databases, as the project keeps one 0001_initial per app.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector

# The same expression in the index and in the query, or PostgreSQL will not use the index.
SEARCH_CONFIG = "simple"  # no stemming: Indonesian has no PostgreSQL dictionary; words match as written


def description_vector() -> SearchVector:
    return SearchVector("description", config=SEARCH_CONFIG)


class PostgresOnlyGinIndex(GinIndex):
    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)
