"""Accounts and API tokens."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.audit import services as audit
from onestop.people.models import ApiToken, User
from onestop.problems import DomainError


class BadCredentials(DomainError):
    status = 401


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, request, username: str, password: str) -> tuple[str, ApiToken]:
    """Checks the credentials and issues a bearer token; only its hash is stored. A locked
    account or client is refused before the password is checked (people/backends.py)."""
    user = authenticate(request, username=username.strip(), password=password)
    if user is None or not user.is_active:
        raise BadCredentials(_("The username or the password is wrong."), code="bad-credentials")
    token = secrets.token_urlsafe(32)
    lifetime = datetime.timedelta(hours=settings.TOKEN_LIFETIME_HOURS)
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            user=user, key_hash=token_digest(token), expires_at=timezone.now() + lifetime
        )
        audit.record(actor=user, action="token.issued", obj=api_token)
    return token, api_token


def user_for_token(token: str) -> User | None:
    """The active user whose token this is, if it is neither revoked nor expired.

    The token is looked up every time (one query on its unique hash), so an ended or
    expired one is refused at once everywhere. The account it belongs to is kept in
    Django's cache under the token for ONESTOP_LAYOUT_CACHE_SECONDS: whatever decides what
    an account may do (people/changes.py) cannot change without ending its tokens, so a
    token still in force always comes with the account's rights as they are."""
    digest = token_digest(token)
    found = ApiToken.objects.filter(key_hash=digest).values_list(
        "user_id", "expires_at", "revoked_at"
    )
    if not found:
        return None
    user_id, expires_at, revoked_at = found[0]
    if revoked_at is not None or expires_at <= timezone.now():
        return None
    key = f"token-user:{digest}"
    user = cache.get(key)
    if user is None:
        user = (
            User.objects.filter(pk=user_id, is_active=True)
            .defer("password", "last_login", "date_joined")
            .first()
        )
        if user is not None:
            cache.set(key, user, settings.LAYOUT_CACHE_SECONDS)
    return user
