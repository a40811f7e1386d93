"""The login lock-out, checked before any password is: after settings.REQUEST_RATES
"login-failures" failed logins to one account, or "login-address-failures" from one client
address, every further login to that account or from that address is refused with
RateLimited, the right password included, until the window of the limit ends.

Every login, through the API, the pages or the administrator's site, goes through
`authenticate()` and so through this backend. An attempt counts as a failure from the
moment it starts (so that logins at once cannot pass the limit together) and is given back
when the password was right."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from onestop.ratelimit import Counted, RateLimited, give_back, limit


def username_key(username: str) -> str:
    return username.strip().lower()


class LockOutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return super().authenticate(request, username, password, **kwargs)
        counted: list[Counted | None] = []
        try:
            if request is not None:  # a login through the web: it has a client address
                limit(request, "login-address")
                counted.append(limit(request, "login-address-failures"))
            counted.append(limit(request, "login-failures", key=username_key(username)))
        except BaseException:
            for each in counted:
                give_back(each)
            raise
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            for each in counted:
                give_back(each)
        return user


class AdminLoginForm(AdminAuthenticationForm):
    """The administrator's login behind the same lock-out, saying why it refuses."""

    def clean(self):
        try:
            return super().clean()
        except RateLimited as limited:
            raise ValidationError(str(limited.detail), code="rate-limited") from None
