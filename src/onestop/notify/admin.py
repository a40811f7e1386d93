from django.contrib import admin

from onestop.notify.models import Notification, SandboxSms


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "event", "state", "attempts"]
    list_filter = ["channel", "state", "event"]


@admin.register(SandboxSms)
class SandboxSmsAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "phone", "text"]
