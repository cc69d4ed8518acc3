"""Names people text for a region (complaints/data/region_aliases.py) find the official region."""

import pytest

from complaints.data import region_aliases
from complaints.models import Province, Regency
from complaints.sms import conversations

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("answer", "province", "regency"),
    [
        ("jaktim", "31", "31.75"),
        ("JAKSEL", "31", "31.74"),
        ("Jakpus", "31", "31.71"),
        ("jakut", "31", "31.72"),
        ("jakbar", "31", "31.73"),
        ("pulau seribu", "31", "31.01"),
        ("DKI", "31", ""),
        ("dki jakarta", "31", ""),
        ("jogja", "34", "34.71"),
        ("Yogya", "34", "34.71"),
        ("kota jogja", "34", "34.71"),
        ("DIY", "34", ""),
        ("bdg", "32", "32.73"),
        ("kab. bdg", "32", "32.04"),
        ("sby", "35", "35.78"),
        ("mks", "73", "73.71"),
        ("Makasar", "73", "73.71"),
        ("solo", "33", "33.72"),
        ("tangsel", "36", "36.74"),
        ("jatim", "35", ""),
        ("NTB", "52", ""),
    ],
)
def test_an_alias_finds_its_region(answer, province, regency):
    assert conversations._match_region(answer) == (province, regency, None)


def test_an_alias_never_hides_an_official_name():
    # "Kota Yogyakarta" and "Kabupaten Bandung" as written, and a kabupaten/kota pair still asked.
    assert conversations._match_region("Kota Yogyakarta") == ("34", "34.71", None)
    assert conversations._match_region("Kabupaten Bandung") == ("32", "32.04", None)
    assert conversations._match_region("Bogor") == (None, None, ["Kabupaten Bogor", "Kota Bogor"])


def test_every_alias_names_exactly_one_region():
    for alias, name in region_aliases.REGENCIES.items():
        assert Regency.objects.filter(name=name).count() == 1, (alias, name)
        assert region_aliases.key(alias) == alias, alias
    for alias, name in region_aliases.PROVINCES.items():
        assert Province.objects.filter(name=name).count() == 1, (alias, name)
        assert region_aliases.key(alias) == alias, alias
    assert not set(region_aliases.REGENCIES) & set(region_aliases.PROVINCES)


def test_the_conversation_takes_an_alias(phone, twilio_webhook):
    phone.reply("LAPOR")
    phone.reply("1")
    phone.reply("Kelurahan Cipinang")
    assert "Ceritakan" in phone.reply("jaktim")
    from notifications.models import Conversation

    data = Conversation.objects.get().data
    assert (data["province"], data["regency"], data["region_label"]) == (
        "31",
        "31.75",
        "Kota Administrasi Jakarta Timur",
    )
