"""The standards administrator's rights in the admin: the register of services (the
catalogue), the working calendar's transfers and a read-only view of the agencies'
certificates, nothing else. Given through a Django
group, so that the account is staff, never a superuser, and sees no person, account,
application or reviewer."""

from django.contrib.auth.models import Group, Permission

STANDARDS_ADMINISTRATORS = "standards administrators"

# app label -> the models of the register whose admin screens the group may use
# (None: every model of the app).
REGISTER: dict[str, set[str] | None] = {
    "catalog": None,
    "workdays": {"daytransfer"},
}
# Read only: public certificates, shown without their keys.
VIEWS = {"signatures": {"authority"}}


def register_permissions():
    permissions = Permission.objects.none()
    for app_label, models in REGISTER.items():
        of_app = Permission.objects.filter(content_type__app_label=app_label)
        if models is not None:
            of_app = of_app.filter(content_type__model__in=models)
        permissions |= of_app
    for app_label, models in VIEWS.items():
        permissions |= Permission.objects.filter(
            content_type__app_label=app_label,
            content_type__model__in=models,
            codename__startswith="view_",
        )
    return permissions


def standards_administrators() -> Group:
    """The group with exactly the register's permissions (made or brought up to date)."""
    group, _created = Group.objects.get_or_create(name=STANDARDS_ADMINISTRATORS)
    group.permissions.set(register_permissions())
    return group
