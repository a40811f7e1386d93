from django.contrib import admin

from onestop.mobile.models import HomeVisit, MobileDevice, SyncOperation


@admin.register(MobileDevice)
class MobileDeviceAdmin(admin.ModelAdmin):
    """Devices as they first reached the server: read only, the registration dates the
    oldest capture each may send."""

    list_display = ("id", "office", "registered_by", "registered_at")
    list_filter = ("office",)
    search_fields = ("id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SyncOperation)
class SyncOperationAdmin(admin.ModelAdmin):
    """What devices sent, as received: read only."""

    list_display = ("id", "kind", "status", "operator", "office", "captured_at", "received_at")
    list_filter = ("kind", "status", "office")
    search_fields = ("id", "device")
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HomeVisit)
class HomeVisitAdmin(admin.ModelAdmin):
    """Changes go through the services (schedule, visit, cancel): read only here."""

    list_display = ("id", "person", "service", "office", "status", "scheduled_for", "operator")
    list_filter = ("status", "office")
    search_fields = ("person__iin", "person__last_name")
    raw_id_fields = ("person", "application")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
