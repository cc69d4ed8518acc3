"""Celery application. Without a broker (REDIS_URL unset) tasks run eagerly in the caller."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sigap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The complaint timers live in complaints/jobs/ (docs/architecture.md), not in complaints/tasks.py.
app.autodiscover_tasks(["complaints.jobs"])
