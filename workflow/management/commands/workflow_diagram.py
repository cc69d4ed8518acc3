from django.core.management.base import BaseCommand

from workflow.diagram import mermaid
from workflow.engine import registered_machines


class Command(BaseCommand):
    help = "Print each registered workflow machine as a Mermaid state diagram, generated from the code."

    def handle(self, *args, **options):
        for machine in registered_machines():
            self.stdout.write(mermaid(machine))
