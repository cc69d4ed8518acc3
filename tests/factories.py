"""factory-boy factories. Reference data (regions, units, categories) comes from the migration."""

import factory
from django.utils import timezone

from complaints import models


def unit(kind: str, province_code: str = "31") -> models.HandlingUnit:
    """The shipped unit of that kind for a province (31 = DKI Jakarta); national intake with None."""
    return models.HandlingUnit.objects.get(kind=kind, province_id=province_code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"petugas{n}")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("rahasia-sekali-123")
    role = models.Role.INTAKE_OFFICER


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A web complaint in DKI Jakarta at the province's intake desk, with an identity."""

    class Meta:
        model = models.Complaint
        skip_postgeneration_save = True

    tracking_code = factory.Sequence(lambda n: f"TST{n:05d}")
    pin_hash = "x" * 64
    kind = models.Kind.MALADMINISTRATION
    category = factory.LazyFunction(lambda: models.Category.objects.get(code="penundaan-berlarut"))
    agency = factory.LazyFunction(lambda: models.Agency.objects.get(name="BPJS Kesehatan"))
    province_id = "31"
    regency_id = "31.71"
    description = "Pengurusan kartu BPJS saya tertunda tiga bulan tanpa kabar."
    complained_to_agency_first = True
    reporter_type = models.ReporterType.CITIZEN
    confidentiality = models.Confidentiality.OPEN
    channel = models.Channel.WEB
    notify_channel = models.NotifyChannel.SMS
    consent_pdp_at = factory.LazyFunction(timezone.now)
    unit = factory.LazyFunction(lambda: unit("intake", "31"))

    identity = factory.RelatedFactory("tests.factories.IdentityFactory", factory_related_name="complaint")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Identity

    name = factory.Faker("name", locale="id_ID")
    nik = "3171234567890123"
    phone = "+6281234567890"
    email = "warga@example.id"
    address = "Jl. Merdeka No. 1, Jakarta"
