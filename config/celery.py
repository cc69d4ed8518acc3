"""Celery application. Without a broker (REDIS_URL unset) tasks run eagerly in the caller."""

import os
from collections.abc import Iterator, Mapping
from functools import cached_property

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class DjangoCelerySettings(Mapping):
    """Django's CELERY_* settings under Celery's own names (CELERY_TASK_ALWAYS_EAGER is
    ``task_always_eager``), read from Django's settings once, when Celery first looks.

    Celery's own way (``namespace="CELERY"``) tries each name twice on Django's settings object
    and again on its defaults, on every look-up: seven look-ups a task published, a fifth of the
    publish's CPU (issue 17). Tests that change Celery's settings set ``app.conf`` itself."""

    @cached_property
    def _values(self) -> dict:
        from django.conf import settings

        return {
            name.removeprefix("CELERY_").lower(): getattr(settings, name)
            for name in dir(settings)
            if name.startswith("CELERY_")
        }

    def __getitem__(self, key: str):
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


app = Celery("sigap")
app.config_from_object(DjangoCelerySettings())
app.autodiscover_tasks()
# The complaint timers live in complaints/jobs/ (docs/architecture.md), not in complaints/tasks.py.
app.autodiscover_tasks(["complaints.jobs"])
