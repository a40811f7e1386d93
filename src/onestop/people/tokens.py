"""Ending API tokens: the calling one at logout, and all of an account's when its password
or its rights change or it is deactivated (people/changes.py). A revoked token stays revoked, also if the
account is activated again. Each ending is in the audit trail as `token.revoked`."""

from django.db import transaction
from django.utils import timezone

from onestop.audit import services as audit
from onestop.people.models import ApiToken, User


def revoke(*, token_hash: str, actor: User) -> bool:
    """Ends the token with this hash, if it is still in force; says whether it was."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(key_hash=token_hash, user=actor, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            return False
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoked", obj=token, data={"why": "logout"})
    return True


def revoke_all(*, user: User, why: str, actor) -> int:
    """Ends every token of the account not ended yet; returns how many."""
    with transaction.atomic():
        ending = list(
            ApiToken.objects.select_for_update()
            .filter(user=user, revoked_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not ending:
            return 0
        ApiToken.objects.filter(pk__in=ending).update(revoked_at=timezone.now())
        audit.record(
            actor=actor,
            action="token.revoked",
            obj=user,
            object_type="people.user",
            data={"why": why, "tokens": ending},
        )
    return len(ending)
