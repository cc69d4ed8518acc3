from django.contrib import admin

from .models import Message, OptOut


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "template_key", "status", "attempts", "error_code", "reference"]
    list_filter = ["status", "channel", "template_key"]
    search_fields = ["=reference", "=twilio_sid"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["phone", "channel", "created_at"]
    list_filter = ["channel"]
