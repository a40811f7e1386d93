from django_tasks import task

from onestop.appointments import services


@task()
def mark_missed_appointments() -> int:
    """Booked appointments whose check-in window has passed become missed (every minute)."""
    return services.mark_missed()


@task()
def send_appointment_reminders() -> int:
    """One reminder a day ahead for each appointment (every minute; each is sent once)."""
    return services.send_reminders()
