"""How the API writes JSON."""

from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    """Kazakh and Russian as they are, not as \\u escapes: readable and a third smaller."""

    json_dumps_params = {"ensure_ascii": False}
