"""Rows written by the bare benchmark endpoint: the yardstick every measured figure stands
next to (docs/benchmarks.md). Nothing else reads or writes them."""

from django.db import models


class BareWrite(models.Model):
    at = models.DateTimeField()
    payload = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"bare write {self.pk}"
