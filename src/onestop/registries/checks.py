"""Start-up checks: every registry the settings name has the plugin they name."""

from django.conf import settings
from django.core.checks import Error, register

from onestop.registries.registry import plugin_names, registry_codes


@register()
def configured_plugins_exist(app_configs, **kwargs) -> list[Error]:
    errors = []
    for code, name in getattr(settings, "REGISTRY_PLUGINS", {}).items():
        if code not in registry_codes():
            errors.append(
                Error(
                    f"REGISTRY_PLUGINS names an unknown registry {code!r}.",
                    hint=f"Known registries: {', '.join(registry_codes())}.",
                    id="registries.E001",
                )
            )
        elif name not in plugin_names(code):
            errors.append(
                Error(
                    f"REGISTRY_PLUGINS names an unknown plugin {name!r} for {code!r}.",
                    hint=f"Known plugins: {', '.join(plugin_names(code))}.",
                    id="registries.E002",
                )
            )
    return errors
