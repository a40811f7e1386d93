"""The electronic queue of a centre: tickets numbered per centre and day, windows and who
works at them, ratings, and the kiosks and boards that use them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    CALLED = "called", _("called")
    SERVING = "serving", _("being served")
    DONE = "done", _("served")
    NO_SHOW = "no_show", _("did not come")
    TRANSFERRED = "transferred", _("transferred")
    CANCELLED = "cancelled", _("cancelled")


class Priority(models.TextChoices):
    NONE = "", _("none")
    DISABILITY = "disability", _("person with a disability")
    ELDERLY = "elderly", _("elderly person")
    PREGNANT = "pregnant", _("pregnant woman")
    APPOINTMENT = "appointment", _("booked appointment")


class Ticket(models.Model):
    """A visitor's place in a centre's queue for one service."""

    # No index of their own: the indexes below begin with the centre and the service.
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    day = models.DateField(help_text="the centre's local date")
    letter = models.CharField(max_length=1)
    seq = models.PositiveIntegerField()
    number = models.CharField(max_length=6)
    status = models.CharField(
        max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.CharField(max_length=12, choices=Priority.choices, blank=True, default="")
    channel = models.CharField(max_length=12, default="kiosk")
    iin = models.CharField(max_length=12, blank=True)
    # Unique by a constraint (Meta), which on PostgreSQL spares the second index that
    # `unique=True` adds for LIKE searches nobody makes.
    follow_code = models.CharField(max_length=12)
    issued_at = models.DateTimeField()
    # The place in the queue: the issue time, kept when the visitor is transferred.
    queue_from = models.DateTimeField()
    estimated_wait_minutes = models.FloatField(default=0)
    # Indexed with the day and the status below: a window's counts of the day.
    window = models.ForeignKey(
        "offices.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )
    target_window = models.ForeignKey(
        "offices.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    # One ticket at most comes from each transfer: ticket_transferred_from_unique below.
    transferred_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
        db_index=False,
    )
    closed_reason = models.CharField(max_length=20, blank=True)
    application = models.ForeignKey(
        "cases.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,
    )

    # Set on a ticket just issued: how many waited ahead of it then. Not stored.
    position: int | None = None

    class Meta:
        ordering = ["office_id", "day", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "day", "number"],
                condition=~Q(status="transferred"),
                name="ticket_number_unique_per_day",
            ),
            models.UniqueConstraint(fields=["follow_code"], name="ticket_follow_code_unique"),
            # Open (waiting, called, serving) exactly while not finished: the partial
            # indexes of open tickets below rest on it.
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "called", "serving"], finished_at__isnull=True)
                | (~Q(status__in=["waiting", "called", "serving"]) & Q(finished_at__isnull=False)),
                name="ticket_open_until_finished",
            ),
            # Partial: the tickets that did not come from a transfer, nearly all, have no
            # entry, so issuing one writes an index fewer (a one-to-one field's unique
            # index holds every ticket, nulls included).
            models.UniqueConstraint(
                fields=["transferred_from"],
                condition=Q(transferred_from__isnull=False),
                name="ticket_transferred_from_unique",
            ),
        ]
        indexes = [
            # The queue in order, priority visitors apart (services._next_waiting).
            models.Index(fields=["office", "status", "priority", "queue_from"]),
            # Today's open tickets, counted by what the estimates need (services.queue_now):
            # an open ticket has no finished_at, and a query that says so uses this index
            # (neither database uses a partial index whose condition is a parameter).
            # finished_at last, so that the count reads the index alone (covering).
            models.Index(
                fields=["office", "day", "status", "service", "window", "priority", "finished_at"],
                condition=Q(finished_at__isnull=True),
                name="ticket_open",
            ),
            # The last visits of a service (services.recent_service_minutes).
            models.Index(
                fields=["service", "finished_at"],
                condition=Q(finished_at__isnull=False),
                name="ticket_finished",
            ),
            # What a window did today (the workstation's counts), without its past days.
            models.Index(
                fields=["window", "day", "status"],
                condition=Q(window__isnull=False),
                name="ticket_window_day",
            ),
            # A new ticket has no window, operator, target window or application yet:
            # these indexes leave such tickets out, so issuing one writes fewer of them.
            models.Index(
                fields=["operator"], condition=Q(operator__isnull=False), name="ticket_operator"
            ),
            models.Index(
                fields=["target_window"],
                condition=Q(target_window__isnull=False),
                name="ticket_target_window",
            ),
            models.Index(
                fields=["application"],
                condition=Q(application__isnull=False),
                name="ticket_application",
            ),
            # The visitor at each window (services.at_window): open tickets at a window,
            # so a new ticket, which has none yet, writes no entry.
            models.Index(
                fields=["window"],
                condition=Q(finished_at__isnull=True, window__isnull=False),
                name="ticket_at_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.office_id}, {self.day})"


class TicketCounter(models.Model):
    """The last number issued per centre, day and letter; locked while a number is taken."""

    office = models.ForeignKey("offices.Office", on_delete=models.CASCADE)
    day = models.DateField()
    letter = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "day", "letter"], name="one_counter_per_letter_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.day} {self.status} {self.service_id}: {self.n}"


class WindowState(models.Model):
    """Whether a window is open, on a break or closed, and who works there."""

    class State(models.TextChoices):
        CLOSED = "closed", _("closed")
        OPEN = "open", _("open")
        BREAK = "break", _("on a break")

    window = models.OneToOneField("offices.Window", on_delete=models.CASCADE, related_name="state")
    state = models.CharField(max_length=6, choices=State.choices, default=State.CLOSED)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    since = models.DateTimeField()


class Rating(models.Model):
    """How the person just served rated it: one rating per ticket, tied to the operator."""

    class Score(models.TextChoices):
        EXCELLENT = "excellent", _("excellent")
        GOOD = "good", _("good")
        SATISFACTORY = "satisfactory", _("satisfactory")
        POOR = "poor", _("poor")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.CharField(max_length=12, choices=Score.choices)
    comment = models.CharField(max_length=500, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="ratings"
    )
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="ratings")
    at = models.DateTimeField()


class Device(models.Model):
    """A kiosk, display board or rating screen of a centre, with a token that may only
    issue tickets, read the board or rate."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("kiosk")
        BOARD = "board", _("display board")
        RATING = "rating", _("rating screen")

    office = models.ForeignKey("offices.Office", on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    window = models.ForeignKey(
        "offices.Window", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
