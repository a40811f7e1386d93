"""How the API writes JSON."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from ninja import Schema
from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    """Kazakh and Russian as they are, not as \\u escapes: readable and a third smaller."""

    json_dumps_params = {"ensure_ascii": False}


RENDERER = Utf8JSONRenderer()


def cached_answer(
    request,
    key: str,
    schema: type[Schema],
    make: Callable[[], dict],
    seconds: float | None = None,
):
    """The JSON answer kept in Django's cache under `key` for `seconds`
    (ONESTOP_LAYOUT_CACHE_SECONDS unless told), else `make()`'s, checked against `schema`,
    written as the API writes every answer and kept. The key must name everything the
    answer depends on that may change within that time."""
    body = cache.get(key)
    if body is None:
        data = schema.model_validate(make()).model_dump()
        body = RENDERER.render(request, data, response_status=200)
        cache.set(key, body, settings.LAYOUT_CACHE_SECONDS if seconds is None else seconds)
    return HttpResponse(body, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")
