from django.conf import settings
from django.core.management.base import BaseCommand

from complaints.jobs.retention import personal_data_erase_expired


class Command(BaseCommand):
    help = (
        "Remove the personal data of cases that ended more than SIGAP_RETENTION_DAYS ago, and the "
        "stored replies of texted reports older than SIGAP_INBOUND_REPLY_HOURS (UU 27/2022 PDP)."
    )

    def handle(self, *args, **options):
        result = personal_data_erase_expired()
        self.stdout.write(
            f"Masa retensi {settings.SIGAP_RETENTION_DAYS} hari / retention {settings.SIGAP_RETENTION_DAYS} days\n"
            f"data pribadi dihapus dari {result.complaints} kasus / personal data removed from "
            f"{result.complaints} cases ({result.evidence_files} berkas bukti / evidence files)\n"
            f"balasan tersimpan dikosongkan / stored replies blanked: {result.inbound_replies}\n"
            f"pesan masuk dihapus / inbound messages deleted: {result.inbound_messages}"
        )
