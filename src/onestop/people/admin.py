from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from onestop.audit import services as audit
from onestop.people.backends import AdminLoginForm
from onestop.people.models import LegalEntity, Person, User


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ["username", "role", "office", "agency", "first_name", "last_name", "is_active"]
    list_filter = ["role", "office", "agency", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Scope", {"fields": ["role", "office", "window_number", "agency", "person"]}),
    ]
    raw_id_fields = ["person"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["iin", "last_name", "first_name", "birth_date", "city"]
    search_fields = ["iin", "last_name"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a person's record is access to personal data: it is logged."""
        person = self.get_object(request, object_id)
        if request.method == "GET" and person is not None:
            audit.log_access(
                actor=request.user,
                person=person,
                why="person.viewed",
                object_type="people.person",
                object_id=str(person.pk),
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = ["bin", "name"]
    search_fields = ["bin", "name"]


admin.site.login_form = AdminLoginForm
