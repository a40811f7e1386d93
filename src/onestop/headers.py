"""Response headers that every answer carries: the browser features a page may use, and
no copy of personal data left in a browser's or a proxy's cache."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from onestop.observability import ANONYMOUS, actor_var


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from settings.PERMISSIONS_POLICY: a feature with no origins is
    off for the page and for anything it embeds."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class PersonalDataNotStoredMiddleware:
    """`Cache-Control: no-store` on every answer to a caller who is known: a logged-in
    person, a token's holder or a kiosk, board or rating screen (whoever set_actor named).
    What anybody may read (the catalogue, the centres, the board's public answers) keeps
    its caching; a view that states its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and actor_var.get() != ANONYMOUS:
            add_never_cache_headers(response)
        return response
