"""Screens for standards administrators. Published standards are read-only: a change is a
new draft version, published when ready; applications keep the version they were filed under."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from onestop.catalog import services
from onestop.catalog.models import (
    Agency,
    Category,
    LifeSituation,
    LifeSituationService,
    Service,
    Standard,
    StandardDocument,
    StandardStep,
)
from onestop.catalog.readability import check_service


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name_ru", "name_ru"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "icon", "name_ru", "position"]
    list_editable = ["position"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_ru",
        "agency",
        "category",
        "current_version",
        "readability_flags",
        "is_active",
    ]
    list_filter = ["agency", "category", "is_active", "instant"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]
    readonly_fields = ["current_standard", "readability"]
    actions = ["make_draft"]

    class Media:
        css = {"all": ["catalog/admin.css"]}

    fieldsets = [
        (
            None,
            {"fields": ["code", "agency", "category", "instant", "is_active", "current_standard"]},
        ),
        (_("Names"), {"fields": ["name_kk", "name_ru", "name_en"]}),
        (
            _("Plain-language description"),
            {"fields": ["description_kk", "description_ru", "description_en", "readability"]},
        ),
        (_("Result"), {"fields": ["result_kk", "result_ru", "result_en"]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("agency", "category", "current_standard")
        )

    @admin.display(description=_("version"))
    def current_version(self, service):
        return service.current_standard.version if service.current_standard else "—"

    @admin.display(description=_("readability"))
    def readability_flags(self, service):
        count = len(check_service(service))
        return format_html(
            '<span class="readability-flags{}">{}</span>',
            " has-findings" if count else "",
            count or "✓",
        )

    @admin.display(description=_("readability check"))
    def readability(self, service):
        findings = check_service(service)
        if not findings:
            return _("Plain words: no long sentences or official jargon found.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>[{}] {} <em>{}</em></li>",
                ((f.language, f.message, f.excerpt) for f in findings),
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.refresh_search_text(obj)
        findings = check_service(obj)
        if findings:
            self.message_user(
                request,
                _("Saved. The readability check flagged %d place(s).") % len(findings),
                messages.WARNING,
            )

    @admin.action(description=_("Start a new draft of the standard"))
    def make_draft(self, request, queryset):
        for service in queryset:
            services.new_draft(actor=request.user, service=service)
        self.message_user(request, _("Drafts created; edit them under Standards, then publish."))


class DocumentInline(admin.TabularInline):
    model = StandardDocument
    extra = 0
    fields = ["position", "name_kk", "name_ru", "name_en", "provided_by", "registry"]


class StepInline(admin.TabularInline):
    model = StandardStep
    extra = 0
    fields = ["position", "code", "name_kk", "name_ru", "name_en"]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "version",
        "status",
        "fee_amount",
        "term_value",
        "term_unit",
        "published_at",
    ]
    list_filter = ["status", "term_unit", "access"]
    search_fields = ["service__code", "service__name_ru"]
    inlines = [DocumentInline, StepInline]
    actions = ["publish"]
    readonly_fields = ["service", "version", "status", "published_at"]

    def has_add_permission(self, request):
        return False  # new versions start from a service ("Start a new draft")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != Standard.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status == Standard.Status.DRAFT
            and super().has_delete_permission(request, obj)
        )

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for standard in queryset.filter(status=Standard.Status.DRAFT):
            services.publish_standard(actor=request.user, standard=standard)
        self.message_user(request, _("Published."))


class LifeSituationServiceInline(admin.TabularInline):
    model = LifeSituationService
    extra = 0
    autocomplete_fields = ["service"]


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru"]
    inlines = [LifeSituationServiceInline]
