"""A model's default ordering never sorts through a relation by accident: ordering by a
foreign key's name sorts by the related model's own ordering, which joins its table to
every query of the model (an application's history joined the applications to sort by
their submission time). Orderings name the key's column (`application_id`); a path
through a relation (`category__position`) is written out only where it is meant."""

from django.apps import apps
from django.db import connection


def test_no_default_ordering_names_a_relation():
    through = []
    for model in apps.get_models():
        for term in model._meta.ordering:
            name = str(term).lstrip("-")
            if "__" in name:
                continue  # a path written out on purpose
            field = next((f for f in model._meta.concrete_fields if f.name == name), None)
            if field is not None and field.is_relation:
                through.append(f"{model._meta.label}: {term}")
    assert through == []


def test_an_applications_history_is_read_without_joining_the_applications(db):
    from onestop.cases.models import Document, StatusChange
    from onestop.catalog.models import StandardDocument

    for queryset in (
        StatusChange.objects.filter(application_id=1),
        Document.objects.filter(application_id=1),
        StandardDocument.objects.filter(standard_id=1),
    ):
        sql, params = queryset.query.sql_with_params()
        assert "JOIN" not in sql, sql
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
