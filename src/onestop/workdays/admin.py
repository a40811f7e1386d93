from django.contrib import admin
from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from onestop.audit import services as audit
from onestop.workdays.models import DayTransfer


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = DayTransfer.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(date__year=int(self.value()))
        return queryset


def _audit_data(transfer: DayTransfer) -> dict:
    return {"date": transfer.date, "kind": transfer.kind, "note": transfer.note}


@admin.register(DayTransfer)
class DayTransferAdmin(admin.ModelAdmin):
    """A transfer moves the deadlines of every open application, so each change is audited."""

    list_display = ["date", "weekday", "kind", "note", "created_at"]
    list_filter = ["kind", YearFilter]
    search_fields = ["note"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj: DayTransfer) -> str:
        return dateformat.format(obj.date, "l")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="workdays.transfer_changed" if change else "workdays.transfer_added",
                obj=obj,
                data=_audit_data(obj),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="workdays.transfer_deleted",
                obj=obj,
                data=_audit_data(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for transfer in queryset:
                audit.record(
                    actor=request.user,
                    action="workdays.transfer_deleted",
                    obj=transfer,
                    data=_audit_data(transfer),
                )
            super().delete_queryset(request, queryset)
