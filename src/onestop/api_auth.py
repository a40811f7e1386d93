"""Who is calling the API: a bearer token (other systems, kiosks) or the page's session."""

from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from onestop.observability import set_actor
from onestop.people.services import user_for_token
from onestop.problems import Forbidden


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.bearer_token = token  # what POST /auth/logout ends
            set_actor(user)
        return user


class SessionOrToken(BearerToken):
    """Pages of the platform call the API with their session; other systems with a token.
    Session calls that change something are CSRF-checked by Django's middleware."""

    def __call__(self, request):
        # The token first: a kiosk or another system has no session to look up.
        if "Authorization" not in request.headers and request.user.is_authenticated:
            return session_user(request)
        return super().__call__(request)


def session_user(request):
    """The logged-in user of a page; a call that changes something must carry the CSRF token."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
        raise Forbidden(
            _("Send the page's CSRF token (X-CSRFToken header) with this request."),
            code="csrf-failed",
        )
    return request.user


session_or_token = SessionOrToken()
