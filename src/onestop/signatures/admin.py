"""Administrators see the platform's certificates, read-only; private keys are never shown."""

from django.contrib import admin

from onestop.signatures import selectors
from onestop.signatures.models import Authority


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "agency", "serial", "not_after", "revoked_at"]
    list_filter = ["kind", "agency"]
    search_fields = ["subject", "serial", "agency__code"]
    fields = [
        "kind",
        "agency",
        "issuer",
        "subject",
        "serial",
        "not_before",
        "not_after",
        "created_at",
        "revoked_at",
        "revocation_reason",
        "certificate_pem",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.for_listing()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
