"""Re-encrypt every personal-data column under the newest key of SIGAP_DATA_KEYS.

Rotation (README: Keys): put a new key first in SIGAP_DATA_KEYS (the old one stays after it, so
everything still decrypts), restart, run this command, then drop the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from notifications.personal import EncryptedTextField

BATCH = 1000


class Command(BaseCommand):
    help = "Enkripsi ulang data pribadi dengan kunci terbaru / re-encrypt personal data under the newest key"

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            last = None
            while True:
                rows = model._default_manager.order_by("pk").only("pk", *fields)
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                batch = list(rows[:BATCH])
                if not batch:
                    break
                # Read under any configured key, written back under the newest (the field encrypts).
                with transaction.atomic():
                    model._default_manager.bulk_update(batch, fields)
                count += len(batch)
                last = batch[-1].pk
            self.stdout.write(f"{model._meta.label}: {count}")
