"""The queue's filters, shared by the page, the API list and the CSV export."""

import re
from functools import partial

import django_filters
import phonenumbers
from django import forms
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints import reference
from complaints.codes import normalise_code
from complaints.identity import HANDLING_ROLES, NOT_REVEALS, REVEAL_LASTS
from complaints.intake.widgets import ListSelect, ListSelectMultiple
from complaints.models import (
    CHANNEL_CHOICES,
    SEARCH_CONFIG,
    Complaint,
    Confidentiality,
    Identity,
    IdentityReveal,
    Kind,
    State,
    description_vector,
    normalise_name,
)
from notifications.contacts import e164, parse_phone
from notifications.personal import blind_index

# The filters' lists come from the process' reference copies (complaints.reference: every row, in
# the models' order, dropped when one changes) rather than a query each for every page. The
# category and agency lists offer the inactive ones too (old cases still carry them): the tables
# "category_all" and "agency_all", beside the intake's active ones.


def category_choices() -> list:
    """Grouped by kind, in the reader's language."""
    english = get_language() == "en"
    groups: dict[str, list] = {}
    for category in reference.table("category_all").values():
        name = category.name_en if english and category.name_en else category.name_id
        groups.setdefault(category.kind, []).append((category.pk, name))
    return [(label, groups[kind]) for kind, label in Kind.choices if kind in groups]


def province_choices() -> list:
    return [(province.code, province.name) for province in reference.table("province").values()]


def regency_choices(province: str | None) -> list:
    return [
        (regency.code, regency.name)
        for regency in reference.table("regency").values()
        if province is None or regency.province_id == province
    ]


def agency_choices(province: str | None) -> list:
    """Every agency, or a province's and the central ones (those without a province)."""
    return [
        (agency.pk, agency.name)
        for agency in reference.table("agency_all").values()
        if province is None or agency.province_id in (province, None)
    ]


def vulnerable_group_choices() -> list:
    english = get_language() == "en"
    return [
        (group.pk, group.name_en if english and group.name_en else group.name_id)
        for group in reference.table("vulnerable_group").values()
    ]


ASSIGNEE_CHOICES = [("me", _("Saya")), ("unassigned", _("Belum ada petugas")), ("anyone", _("Siapa saja"))]


class OverdueSelect(ListSelect, forms.NullBooleanSelect):
    """ "All / Yes / No" rather than Django's "Unknown / Yes / No": nothing is unknown about a deadline.
    Written in Python like the other lists (ListSelect), not through a template per option."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Semua")), ("true", _("Ya")), ("false", _("Tidak"))]


def unit_province(user) -> str | None:
    """The province of the officer's unit, whose lists the queue's filters offer (None: every
    province's, for a national unit or an administrator)."""
    return getattr(getattr(user, "unit", None), "province_id", None)


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
    # Urgent cases (docs/domain.md#urgency): the queue lists them first anyway; this lists them alone.
    urgent = django_filters.BooleanFilter(label=_("Mendesak"), field_name="urgent", widget=OverdueSelect)
    q = django_filters.CharFilter(
        label=_("Cari kode lacak, nama, telepon, NIK atau isi"), method="filter_search"
    )

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A provincial unit chooses among its own province's regencies and agencies (and the
        # central ones): short lists, and a light page for people who reload it all day.
        # Its cases all lie in that province, so it is not asked for either.
        province = unit_province(getattr(self.request, "user", None))
        if province:
            self.filters.pop("province")
            fields = self.form.fields
            fields["regency"].choices = partial(regency_choices, province)
            fields["agency"].choices = partial(agency_choices, province)

    # The form class of each set of filters (a provincial unit's has no province), built once:
    # django-filter builds a class, and a form field for each filter, on every request (a third
    # of the FilterSet's time). Each form still has fields of its own (Django copies them), so
    # the choices set above change only this request's.
    _form_classes: dict[tuple, type] = {}

    def get_form_class(self):
        names = tuple(self.filters)
        form_class = self._form_classes.get(names)
        if form_class is None:
            form_class = self._form_classes[names] = super().get_form_class()
        return form_class

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
        # words are searched in the description too (the unique index makes the code part free),
        # and as the complainant's exact name, phone number or NIK (identity_matches).
        condition = self._description_matches(value)
        code = normalise_code(value)
        if code and len(code) <= Complaint._meta.get_field("tracking_code").max_length:
            condition |= Q(tracking_code=code)
        matches = identity_matches(queryset, value, user=getattr(self.request, "user", None))
        if matches:
            condition |= Q(pk__in=matches)
        return queryset.filter(condition)

    @staticmethod
    def _description_matches(value: str) -> Q:
        """Full-text on PostgreSQL (whole words, "quoted phrases", -excluded; the GIN index
        complaint_description_fts); a substring match on the embedded SQLite default."""
        if connection.vendor != "postgresql":
            return Q(description__icontains=value)
        from django.contrib.postgres.search import SearchQuery, SearchVectorExact

        query = SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
        return Q(SearchVectorExact(description_vector(), query))


# --- search by the complainant's name, phone number or NIK (docs/domain.md#personal-data) ---------
IDENTITY_MATCHES_MAX = 1000
_PHONE_SHAPE = re.compile(r"\+?[0-9][0-9 ()\-.]{6,22}")
_NIK_SEPARATORS = re.compile(r"[ .\-]")


def identity_search_condition(value: str) -> Q | None:
    """Identity rows whose exact name, phone number or NIK is ``value``, through their keyed blind
    indexes (the columns themselves are encrypted): a name as normalise_name keys it (case, spacing
    and punctuation do not matter), a phone number in E.164 however it is written, a NIK of 16
    digits. None when ``value`` can be none of them."""
    condition = Q()
    digits = _NIK_SEPARATORS.sub("", value)
    if len(digits) == 16 and digits.isascii() and digits.isdigit():
        condition |= Q(nik_index=blind_index(digits))
    if _PHONE_SHAPE.fullmatch(value):
        number = parse_phone(value)
        if number is not None and phonenumbers.is_valid_number(number):
            condition |= Q(phone_index=blind_index(e164(number)))
    name = normalise_name(value)
    if any(ch.isalpha() for ch in name):
        condition |= Q(name_index=blind_index(name))
    return condition or None


def identity_matches(queryset, value: str, *, user) -> list[int]:
    """The cases of ``queryset`` (what the officer sees) whose complainant is ``value`` by exact name,
    phone or NIK, for an officer who may read those identities (complaints.identity): one who
    handles the case (an administrator never sees an identity, so never finds a case by one), an
    open complaint's, or a confidential one's only within this officer's logged reveal. A search
    is no way around a reveal: it would tell who filed a confidential complaint. An anonymous
    complaint has no identity. The results show no identity either."""
    condition = identity_search_condition(value)
    if condition is None or user is None or getattr(user, "role", None) not in HANDLING_ROLES:
        return []
    revealed = (
        IdentityReveal.objects.filter(officer=user, created_at__gte=timezone.now() - REVEAL_LASTS)
        .exclude(reason__in=NOT_REVEALS)
        .values("complaint_id")
    )
    return list(
        queryset.filter(pk__in=Identity.objects.filter(condition).values("complaint_id"))
        .filter(Q(confidentiality=Confidentiality.OPEN) | Q(pk__in=revealed))
        .order_by()
        .values_list("pk", flat=True)[:IDENTITY_MATCHES_MAX]
    )
