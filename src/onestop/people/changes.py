"""Account and role changes in the audit trail, wherever they are made: the admin, a
management command, the API or code. A model signal sees every save of an account and
every change of its groups and permissions; the actor is whoever the request or command
named (`observability.actor_var`), or "system" when no one did. Passwords are never
written, only that one changed. A password change, a deactivation or a change of rights
(role, centre, agency, window, person, staff flags) also ends all of the account's API
tokens, however it is made (its page sessions end by Django's own rules: a
session holds a hash of the password, and an inactive account is logged out)."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from onestop.audit import services as audit
from onestop.observability import actor_var
from onestop.people import tokens
from onestop.people.models import User

# The fields of an account that decide what it may do, and whose own data it sees.
RIGHTS = {
    "role",
    "office_id",
    "agency_id",
    "window_number",
    "person_id",
    "is_staff",
    "is_superuser",
}
WATCHED = (*sorted(RIGHTS), "is_active", "password")
SECRET = {"password"}


def _actor() -> str | None:
    name = actor_var.get()
    return None if name in {"-", "anonymous"} else name


def _shown(field: str, value):
    return "(changed)" if field in SECRET else value


@receiver(pre_save, sender=User, dispatch_uid="onestop.people.changes.before")
def remember_before(sender, instance: User, update_fields=None, raw=False, **kwargs) -> None:
    """What the watched fields held before this save (nothing to read for a new account,
    or a save of other fields, such as the last login)."""
    instance._watched_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in WATCHED} & {
        f.removesuffix("_id") for f in update_fields
    }:
        return
    instance._watched_before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()


@receiver(post_save, sender=User, dispatch_uid="onestop.people.changes.after")
def record_change(sender, instance: User, created: bool, raw=False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_watched_before", None)
    if created:
        changed = {
            f: _shown(f, getattr(instance, f))
            for f in WATCHED
            if f not in SECRET and getattr(instance, f) not in (None, False, "")
        }
        action = "account.created"
    elif before is not None:
        changed = {
            f: {"from": _shown(f, before[f]), "to": _shown(f, getattr(instance, f))}
            for f in WATCHED
            if before[f] != getattr(instance, f)
        }
        action = "account.changed"
    else:
        return
    if not changed and not created:
        return
    with transaction.atomic():
        audit.record(
            actor=_actor(),
            action=action,
            obj=instance,
            data={"username": instance.username, "fields": sorted(changed), "changes": changed},
        )
        if before is not None and "password" in changed:
            tokens.revoke_all(user=instance, why="password-changed", actor=_actor())
        elif before is not None and before["is_active"] and not instance.is_active:
            tokens.revoke_all(user=instance, why="deactivated", actor=_actor())
        elif before is not None and set(changed) & RIGHTS:
            # A token's account is kept with it (people.services.user_for_token): the
            # account's calls go on with its new rights only after it logs in again.
            tokens.revoke_all(user=instance, why="rights-changed", actor=_actor())


def _names(model, pks) -> list[str]:
    field = "name" if model is Group else "codename"
    return sorted(model.objects.filter(pk__in=pks or ()).values_list(field, flat=True))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="onestop.people.changes.groups")
@receiver(
    m2m_changed,
    sender=User.user_permissions.through,
    dispatch_uid="onestop.people.changes.permissions",
)
def record_rights(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A group or a permission given to or taken from an account (from either side)."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    field = "groups" if sender is User.groups.through else "user_permissions"
    if action == "pre_clear":
        # What is cleared is known only before it goes.
        if reverse:
            return  # a group or permission deleted: Django clears it from every account
        pk_set = set(getattr(instance, field).values_list("pk", flat=True))
        if not pk_set:
            return
    if reverse:
        accounts = list(User.objects.filter(pk__in=pk_set))
        names = _names(type(instance), [instance.pk])
    else:
        accounts = [instance]
        names = _names(model, pk_set)
    if not names:
        return
    with transaction.atomic():
        for account in accounts:
            audit.record(
                actor=_actor(),
                action="account.changed",
                obj=account,
                data={
                    "username": account.username,
                    "fields": [field],
                    "changes": {field: {"added" if action == "post_add" else "removed": names}},
                },
            )


@receiver(
    m2m_changed, sender=Group.permissions.through, dispatch_uid="onestop.people.changes.group"
)
def record_group_rights(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A permission given to or taken from a group changes what its accounts may do."""
    if reverse or action not in {"post_add", "post_remove"} or not pk_set:
        return
    with transaction.atomic():
        audit.record(
            actor=_actor(),
            action="group.changed",
            obj=instance,
            data={
                "group": instance.name,
                "permissions": {
                    "added" if action == "post_add" else "removed": _names(model, pk_set)
                },
            },
        )
