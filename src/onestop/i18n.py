"""Language negotiation: ?lang=, then the language cookie, then Accept-Language, then the default.

Pages and the API share it; the response always says which language it speaks
(Content-Language), also when an unsupported language fell back to the default.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = tuple(code for code, _name in settings.LANGUAGES)


def choose_language(request) -> str:
    requested = request.GET.get("lang", "")
    if requested in SUPPORTED:
        return requested
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in SUPPORTED and not request.path.startswith("/api/"):
        return cookie
    for code, _quality in translation.trans_real.parse_accept_lang_header(
        request.headers.get("Accept-Language", "")
    ):
        primary = code.split("-")[0].lower()
        if primary in SUPPORTED:
            return primary
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = choose_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        vary = response.headers.get("Vary", "")
        if "Accept-Language" not in vary:
            response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
        if request.GET.get("lang") == language and not request.path.startswith("/api/"):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
            )
        return response


def localized(obj, field: str, language: str | None = None) -> str:
    """The text of a field kept in three languages (name_kk, name_ru, name_en), in the
    requested language, falling back to the others so that a page is never blank."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    order = [language, *(code for code in ("ru", "kk", "en") if code != language)]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


def languages(request):
    """Template context: the languages and the current one, for the switcher and <html lang>."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    return {"LANGUAGE_CHOICES": settings.LANGUAGES, "CURRENT_LANGUAGE": current}
