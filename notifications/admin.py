from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import texts
from .models import Message, MessageTemplate, OptOut
from .personal import masked_address

# Administrators keep the outbox running; they never read what was sent to whom: recipients are
# masked and texts left out (officers read a case's messages on its page, docs/domain.md#confidentiality).
HIDDEN_FIELDS = {"recipient", "body", "content_variables"}


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "masked_recipient",
        "template_key",
        "status",
        "attempts",
        "reason",
    ]
    list_filter = ["status", "channel", "template_key"]
    search_fields = ["=reference", "=twilio_sid"]
    fields = readonly_fields = [
        "masked_recipient",
        *(f.name for f in Message._meta.fields if f.name not in HIDDEN_FIELDS and f.name != "id"),
        "reason",
    ]

    @admin.display(description=_("keterangan"))
    def reason(self, message: Message) -> str:
        return message.reason

    @admin.display(description=_("penerima"))
    def masked_recipient(self, message: Message) -> str:
        return masked_address(message.recipient)

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["masked_phone", "channel", "created_at"]
    list_filter = ["channel"]
    fields = readonly_fields = ["masked_phone", "channel", "created_at"]

    @admin.display(description=_("nomor"))
    def masked_phone(self, optout: OptOut) -> str:
        return masked_address(optout.phone)

    def has_add_permission(self, request):
        return False


class MessageTemplateForm(forms.ModelForm):
    key = forms.ChoiceField(label=_("kunci"))

    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "channel", "body", "content_sid"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The keys the domain registered at start-up (complaints.messaging), with their defaults.
        self.fields["key"].choices = [(key, key) for key in sorted(texts.registered())]

    def clean(self):
        data = super().clean()
        key, body = data.get("key"), data.get("body") or ""
        if key and body:
            for problem in texts.problems(key, body):
                self.add_error(
                    "body",
                    _("%(problem)s. Isian yang boleh: %(allowed)s")
                    % {
                        "problem": problem,
                        "allowed": ", ".join(f"{{{p}}}" for p in sorted(texts.placeholders(key))),
                    },
                )
        sid = data.get("content_sid") or ""
        if sid and not (sid.startswith("HX") and len(sid) == 34):
            self.add_error("content_sid", _("Content SID Twilio diawali HX dan panjangnya 34 karakter."))
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["key", "language", "channel", "content_sid", "updated_at"]
    list_filter = ["key", "language", "channel"]
    readonly_fields = ["defaults"]

    @admin.display(description=_("teks bawaan"))
    def defaults(self, template: MessageTemplate):
        shipped = texts.registered()
        rows = [
            (key, language, text, ", ".join(f"{{{p}}}" for p in sorted(texts.placeholders(key))))
            for key in sorted(shipped)
            for language, text in shipped[key].items()
        ]
        return format_html_join("\n", "<p><strong>{} [{}]</strong>: {}<br><small>{}</small></p>", rows)
