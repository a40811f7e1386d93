"""Reads about the gateway itself: which registries it can ask, and through what."""

from onestop.registries.registry import configured_plugins


def registries_in_service() -> list[dict]:
    """Each registry with the plugin answering for it, for status pages and the API."""
    return [
        {"code": plugin.code, "plugin": plugin.name, "name": str(plugin.verbose_name)}
        for plugin in configured_plugins()
    ]
