from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .deadlines import forget_extra_holidays
from .engine import registered_machines
from .models import DeadlineRule, Holiday, TransitionLog


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_extra_holidays()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_extra_holidays()

    def delete_queryset(self, request, queryset):
        # The "delete selected" action: deadlines must stop skipping those days at once too.
        super().delete_queryset(request, queryset)
        forget_extra_holidays()


class DeadlineRuleForm(forms.ModelForm):
    """A rule names a state the registered machines really have (a typo would never match)."""

    class Meta:
        model = DeadlineRule
        fields = ["machine", "state", "scope", "days", "working_days", "source"]

    def clean_state(self):
        state = self.cleaned_data["state"]
        known = {
            str(value)
            for machine in registered_machines()
            for value, _label in [*machine.states, *machine.clocks]
        }
        if known and state not in known:
            raise forms.ValidationError(
                _("Status tidak dikenal. Pilih salah satu: %(states)s"),
                params={"states": ", ".join(sorted(known))},
            )
        return state


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    form = DeadlineRuleForm
    list_display = ["machine", "state", "scope", "days", "working_days", "source"]
    list_editable = ["days", "working_days"]
    list_filter = ["machine", "state"]


@admin.register(TransitionLog)
class TransitionLogAdmin(admin.ModelAdmin):
    """The audit trail can be read, never edited."""

    list_display = [
        "created_at",
        "content_type",
        "object_id",
        "transition",
        "source",
        "target",
        "actor_kind",
        "via",
    ]
    list_filter = ["transition", "actor_kind", "via"]
    search_fields = ["=object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
