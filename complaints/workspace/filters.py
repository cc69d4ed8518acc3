"""The queue's filters, shared by the page, the API list and the CSV export."""

from functools import partial

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints.codes import normalise_code
from complaints.intake.widgets import ListSelect, ListSelectMultiple
from complaints.models import (
    CHANNEL_CHOICES,
    SEARCH_CONFIG,
    Agency,
    Category,
    Complaint,
    Kind,
    Province,
    Regency,
    State,
    VulnerableGroup,
    description_vector,
)


def category_choices() -> list:
    """Grouped by kind, in the reader's language."""
    english = get_language() == "en"
    groups: dict[str, list] = {}
    for pk, kind, name_id, name_en in Category.objects.values_list("pk", "kind", "name_id", "name_en"):
        groups.setdefault(kind, []).append((pk, name_en if english and name_en else name_id))
    return [(label, groups[kind]) for kind, label in Kind.choices if kind in groups]


def province_choices() -> list:
    return list(Province.objects.values_list("code", "name"))


def regency_choices(province: str | None) -> list:
    regencies = Regency.objects.all() if province is None else Regency.objects.filter(province_id=province)
    return list(regencies.values_list("code", "name"))


def agency_choices(province: str | None) -> list:
    agencies = Agency.objects.all()
    if province is not None:
        agencies = agencies.filter(Q(province_id=province) | Q(province__isnull=True))
    return list(agencies.values_list("pk", "name"))


def vulnerable_group_choices() -> list:
    english = get_language() == "en"
    return [
        (pk, name_en if english and name_en else name_id)
        for pk, name_id, name_en in VulnerableGroup.objects.values_list("pk", "name_id", "name_en")
    ]


ASSIGNEE_CHOICES = [("me", _("Saya")), ("unassigned", _("Belum ada petugas")), ("anyone", _("Siapa saja"))]


class OverdueSelect(forms.NullBooleanSelect):
    """ "All / Yes / No" rather than Django's "Unknown / Yes / No": nothing is unknown about a deadline."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Semua")), ("true", _("Ya")), ("false", _("Tidak"))]


class QueueFilter(django_filters.FilterSet):
    # distinct=False: a state IN (…) on the complaint's own column cannot repeat a row, and
    # django-filter's default SELECT DISTINCT over every column made this filter ~8× slower on 1M rows.
    state = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=State.choices, distinct=False, widget=ListSelectMultiple
    )
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=Kind.choices, widget=ListSelect)
    # The reference lists are plain choices read in one small query each, and only when a page
    # shows them or a value must be checked: a ModelChoiceFilter opened a server-side cursor per
    # list on every request, the API's included.
    category = django_filters.ChoiceFilter(label=_("Kategori"), choices=category_choices, widget=ListSelect)
    province = django_filters.ChoiceFilter(label=_("Provinsi"), choices=province_choices, widget=ListSelect)
    regency = django_filters.ChoiceFilter(
        label=_("Kabupaten/kota"), choices=partial(regency_choices, None), widget=ListSelect
    )
    agency = django_filters.ChoiceFilter(
        label=_("Instansi terlapor"), choices=partial(agency_choices, None), widget=ListSelect
    )
    vulnerable_group = django_filters.ChoiceFilter(
        label=_("Kelompok rentan"),
        choices=vulnerable_group_choices,
        field_name="vulnerable_groups",
        distinct=False,
        widget=ListSelect,
    )
    channel = django_filters.ChoiceFilter(label=_("Kanal"), choices=CHANNEL_CHOICES, widget=ListSelect)
    assignee = django_filters.ChoiceFilter(
        label=_("Petugas"), choices=ASSIGNEE_CHOICES, method="filter_assignee", widget=ListSelect
    )
    overdue = django_filters.BooleanFilter(
        label=_("Lewat tenggat"), method="filter_overdue", widget=OverdueSelect
    )
    q = django_filters.CharFilter(label=_("Cari kode lacak atau isi"), method="filter_search")

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A provincial unit chooses among its own province's regencies and agencies (and the
        # central ones): short lists, and a light page for people who reload it all day.
        # Its cases all lie in that province, so it is not asked for either.
        user = getattr(self.request, "user", None)
        province = getattr(getattr(user, "unit", None), "province_id", None)
        if province:
            self.filters.pop("province")
            fields = self.form.fields
            fields["regency"].choices = partial(regency_choices, province)
            fields["agency"].choices = partial(agency_choices, province)

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user) if self.request else queryset.none()
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(due_at__lt=now)
        return queryset.filter(Q(due_at__gte=now) | Q(due_at__isnull=True))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A code as read aloud or copied ("abcd 2345", "ABCD-2345") matches exactly; the same
        # words are searched in the description too (the unique index makes the code part free).
        code = normalise_code(value)
        words = self._description_matches(value)
        if code and len(code) <= Complaint._meta.get_field("tracking_code").max_length:
            return queryset.filter(Q(tracking_code=code) | words)
        return queryset.filter(words)

    @staticmethod
    def _description_matches(value: str) -> Q:
        """Full-text on PostgreSQL (whole words, "quoted phrases", -excluded; the GIN index
        complaint_description_fts); a substring match on the embedded SQLite default."""
        if connection.vendor != "postgresql":
            return Q(description__icontains=value)
        from django.contrib.postgres.search import SearchQuery, SearchVectorExact

        query = SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
        return Q(SearchVectorExact(description_vector(), query))
