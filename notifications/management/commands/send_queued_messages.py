"""Hand stuck and due messages to the workers once (what the beat's outbox-requeue does).

For installations without Celery beat (the embedded default runs tasks eagerly and has no beat):
run it from cron every minute so a message whose send failed for a moment is retried.
"""

from django.core.management.base import BaseCommand

from notifications.tasks import requeue_stuck


class Command(BaseCommand):
    help = "Kirim ulang pesan yang tertunda atau macet / Retry queued and stuck outbox messages"

    def handle(self, *args, **options):
        count = requeue_stuck()
        self.stdout.write(f"{count}")
