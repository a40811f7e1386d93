"""Who is calling the API: a bearer token (other systems, kiosks) or the page's session."""

from ninja.security import HttpBearer

from onestop.people.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionOrToken(BearerToken):
    """Pages of the platform call the API with their session; other systems with a token.
    Session calls that change something are CSRF-checked by Django's middleware."""

    def __call__(self, request):
        if request.user.is_authenticated and "Authorization" not in request.headers:
            return request.user
        return super().__call__(request)


session_or_token = SessionOrToken()
