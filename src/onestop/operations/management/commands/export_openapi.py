import json

from django.core.management.base import BaseCommand

from onestop.api import api


def openapi_document() -> str:
    return (
        json.dumps(
            api.get_openapi_schema(path_prefix="/api/v1"),
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
        + "\n"
    )


class Command(BaseCommand):
    help = "Prints the OpenAPI document of /api/v1 (committed as docs/openapi.json)."

    def handle(self, *args, **options):
        self.stdout.write(openapi_document(), ending="")
