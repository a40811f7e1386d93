import datetime as dt

import pytest

from onestop.audit.models import AuditEvent
from onestop.tests import factories
from onestop.workdays.calendar import is_working_day
from onestop.workdays.models import DayTransfer

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/workdays/daytransfer/"


@pytest.fixture
def admin(db):
    """A standards administrator, who keeps the calendar."""
    return factories.standards_administrator()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_transfers_are_listed_and_filtered_by_kind_and_year(admin_client):
    DayTransfer.objects.create(date=dt.date(2025, 1, 5), kind="working_day", note="2025 decree")
    DayTransfer.objects.create(date=dt.date(2026, 4, 13), kind="day_off", note="2026 decree")
    html = admin_client.get(CHANGELIST).content.decode()
    assert "2025 decree" in html and "2026 decree" in html
    html = admin_client.get(f"{CHANGELIST}?year=2026").content.decode()
    assert "2026 decree" in html and "2025 decree" not in html
    html = admin_client.get(f"{CHANGELIST}?kind__exact=working_day").content.decode()
    assert "2025 decree" in html and "2026 decree" not in html


def test_an_administrator_adds_a_transfer_and_it_is_audited(admin_client, admin):
    response = admin_client.post(
        f"{CHANGELIST}add/", {"date": "2026-04-11", "kind": "working_day", "note": "decree 1"}
    )
    assert response.status_code == 302, response.content
    assert is_working_day(dt.date(2026, 4, 11))
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "workdays.transfer_added" and event.actor == admin.username
    assert event.data == {"date": "2026-04-11", "kind": "working_day", "note": "decree 1"}

    transfer = DayTransfer.objects.get(date=dt.date(2026, 4, 11))
    response = admin_client.post(f"{CHANGELIST}{transfer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not is_working_day(dt.date(2026, 4, 11))
    assert AuditEvent.objects.order_by("-seq").first().action == "workdays.transfer_deleted"


def test_the_same_date_cannot_be_transferred_twice(admin_client):
    DayTransfer.objects.create(date=dt.date(2026, 4, 13), kind="day_off")
    response = admin_client.post(f"{CHANGELIST}add/", {"date": "2026-04-13", "kind": "working_day"})
    assert response.status_code == 200
    assert DayTransfer.objects.filter(date=dt.date(2026, 4, 13)).count() == 1
