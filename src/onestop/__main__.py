"""The `onestop` command: the project's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from onestop.environment import BadSetting

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the settings, and with them the environment)
    except BadSetting as error:
        sys.exit(f"onestop: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
