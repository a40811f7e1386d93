"""Accounts and API tokens."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
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
    """The active user whose token this is, if it is neither revoked nor expired: one
    query, without the password hash and the dates that no API call reads."""
    found = User.objects.filter(
        api_tokens__key_hash=token_digest(token),
        api_tokens__revoked_at__isnull=True,
        api_tokens__expires_at__gt=timezone.now(),
        is_active=True,
    ).defer("password", "last_login", "date_joined")
    return next(iter(found[:1]), None)
