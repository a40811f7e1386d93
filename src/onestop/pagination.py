"""Lists in the API: `?limit=&offset=`, answered as `{"items": [...], "count": N}`.

django-ninja's limit-offset pagination, with its settings (NINJA_PAGINATION_PER_PAGE,
NINJA_PAGINATION_MAX_LIMIT): `count` is the true total and any offset may be asked for, so
that anyone (an auditor above all) can page through everything; a page holds at most 200
items, and a larger `limit` is a 422 naming the field. Two things are added: only the page
asked for is shaped (a `Listing`), and an offset past the end reads nothing, so a list of
100,000 rows costs one COUNT and one page. Rows must come in a total order (end the
ordering with the primary key), or a row could show on two pages and another on none.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = settings.NINJA_PAGINATION_MAX_LIMIT


@dataclass(frozen=True)
class Listing:
    """Rows to list and how one is shaped for the answer (applied to the page only)."""

    rows: QuerySet | Sequence
    shape: Callable[[Any], dict]


class Page(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        # ninja's fields, with what they mean written in the API's documentation
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=MAX_LIMIT,
            description=f"items a page, at most {MAX_LIMIT}",
        )
        offset: int = Field(0, ge=0, description="items to skip; page on until offset >= count")

    def paginate_queryset(self, queryset, pagination: Any, request, **params) -> dict:
        rows, shape = (
            (queryset.rows, queryset.shape) if isinstance(queryset, Listing) else (queryset, None)
        )
        count = rows.count() if isinstance(rows, QuerySet) else len(rows)
        start = pagination.offset
        # Past the end there is nothing to read (and no offset too large for SQL to take).
        page = list(rows[start : start + pagination.limit]) if start < count else []
        return {"items": [shape(row) for row in page] if shape else page, "count": count}
