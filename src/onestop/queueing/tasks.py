from django_tasks import task

from onestop.queueing import services


@task()
def close_finished_days() -> int:
    """Closes tickets left open after each centre's closing time (run every minute)."""
    return services.close_all_days()


@task()
def mark_missed_appointments() -> int:
    """Booked appointments whose check-in window has passed become missed (every minute)."""
    from onestop.queueing import booking

    return booking.mark_missed()


@task()
def send_appointment_reminders() -> int:
    """One reminder a day ahead for each appointment (every minute; each is sent once)."""
    from onestop.queueing import booking

    return booking.send_reminders()
