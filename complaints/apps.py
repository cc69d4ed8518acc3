from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Pengaduan / Complaints")

    def ready(self) -> None:
        # Register the complaint machine and inbound-message handlers with the generic engines.
        from complaints import machine, reference  # noqa: F401
        from complaints.sms import handlers  # noqa: F401

        # The reference tables each process keeps (provinces, units, deadline rules, wordings, …).
        reference.setup()
