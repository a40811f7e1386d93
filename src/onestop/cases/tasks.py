"""Background work on applications, written with the change that calls for it."""

from django_tasks import task

from onestop.cases import services


@task()
def fetch_missing_registries(application_id: int, attempt: int) -> bool:
    """Retries the registries that were down when the application was filed."""
    return services.fetch_missing(application_id=application_id, attempt=attempt)


@task()
def produce_application_result(application_id: int) -> bool:
    """Renders and signs the result of an approved application and makes it ready; enqueued
    after the approval commits, so that no row is locked while the PDF is made."""
    return services.produce_result(application_id=application_id) is not None


@task()
def produce_stranded_results() -> int:
    """Queues again the results whose production task was lost with a worker."""
    return services.outcomes.produce_stranded()


@task()
def flag_overdue_applications() -> int:
    """Flags applications past their due time (run every minute by the worker's scheduler)."""
    return services.flag_overdue()
