from django.contrib import admin

from onestop.offices.models import Office, OpeningHours, RouteStop, Window


class HoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ["services"]


class StopInline(admin.TabularInline):
    model = RouteStop
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "kind", "city_ru", "timezone", "is_active"]
    list_filter = ["kind", "city_ru", "is_active"]
    filter_horizontal = ["services"]
    inlines = [HoursInline, WindowInline, StopInline]
