from django.core.management.base import BaseCommand

from complaints.jobs.sweep import complaints_sweep


class Command(BaseCommand):
    help = "Perform due automatic transitions (expire_info, close), flag overdue cases and late agencies."

    def handle(self, *args, **options):
        result = complaints_sweep()
        self.stdout.write(
            f"expired: {result.expired}, closed: {result.closed}, flagged overdue: {result.flagged}, "
            f"agencies late: {result.agencies_late}"
        )
