"""Administrators manage reference data, users and roles here. Identity is not listed, nor are
officers' API tokens."""

import knox.admin  # noqa: F401 - registered first whatever the app order, so it can be undone below
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from complaints import codes
from complaints.models import (
    Agency,
    Category,
    Complaint,
    District,
    HandlingUnit,
    Province,
    Regency,
    User,
    VulnerableGroup,
)

# An officer's API token acts as the officer (an identity reveal made with it is logged as
# theirs). Knox stores only a digest, but its admin would still let an administrator mint a token
# for any officer or browse them; officers create and revoke their own at /petugas/token-api/.
admin.site.unregister(AuthToken)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency"]
    search_fields = ["code", "name"]
    list_select_related = ["regency"]
    show_full_result_count = False


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["province"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "province", "regency", "is_active"]
    list_filter = ["level", "is_active", "province"]
    search_fields = ["name"]
    list_select_related = ["province", "regency"]
    autocomplete_fields = ["regency"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_id", "name_en", "kind", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(VulnerableGroup)
class VulnerableGroupAdmin(admin.ModelAdmin):
    list_display = ["name_id", "name_en", "order"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Peran di Sigap"), {"fields": ("role", "unit")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Peran di Sigap"), {"fields": ("role", "unit")}),)


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """An overview for administrators; cases are worked in /petugas/, identity never shows here."""

    list_display = ["tracking_code", "state", "kind", "unit", "created_at", "due_at"]
    list_filter = ["state", "kind", "channel", "confidentiality"]
    search_fields = ["=tracking_code"]
    list_select_related = ["unit"]
    show_full_result_count = False
    fields = [
        "tracking_code",
        "state",
        "kind",
        "category",
        "agency",
        "province",
        "unit",
        "created_at",
        "due_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # Codes are read aloud and written down as "ABCD-EFGH" or "abcd efgh"; stored without the dash.
        return super().get_search_results(request, queryset, codes.normalise_code(search_term))
