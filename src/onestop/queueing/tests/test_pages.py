"""The queue's pages through Django's test client: the kiosk and its device, load advice,
the operator's workstation, the rating screen, the follow page and the board."""

import datetime

import pytest
from django.utils import timezone, translation

from onestop.offices.models import OpeningHours
from onestop.people.models import Role
from onestop.queueing import services
from onestop.queueing.advice import nearby_shorter_waits
from onestop.queueing.models import Rating, Ticket
from onestop.queueing.tests.conftest import SERVICES
from onestop.queueing.views import DEVICE_COOKIES
from onestop.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English wording; other languages have their own tests."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def kiosk_url(centre) -> str:
    """The address of the centre's kiosk page."""
    return f"/queue/kiosk/{centre.code}/"


@pytest.fixture
def kiosk_token(centre) -> str:
    return factories.device_token("kiosk", office=centre)


@pytest.fixture
def rating_url(centre) -> str:
    """The address of the rating screen at window 1."""
    return f"/queue/rate/{centre.code}/1/"


@pytest.fixture
def rating_token(centre) -> str:
    return factories.device_token("rating", office=centre, window=1)


@pytest.fixture
def kiosk(client, kiosk_url, kiosk_token):
    """A client that is the centre's kiosk: it opened the page once with its token."""
    response = client.get(f"{kiosk_url}?device={kiosk_token}&lang=en")
    assert response.status_code == 302
    return client


@pytest.fixture
def operator(client, operators):
    client.force_login(operators[1])
    return client


@pytest.fixture
def issue(centre):
    """Takes a ticket at the centre's kiosk."""

    def issue(service: str = "passport", **extra) -> Ticket:
        return services.issue_ticket(
            office_code=centre.code, service_code=service, channel="kiosk", **extra
        )

    return issue


# ---------------------------------------------------------------- kiosk and its device


def test_kiosk_without_a_device_is_refused_kindly(client, kiosk_url):
    response = client.get(f"{kiosk_url}?lang=en")
    assert response.status_code == 403
    assert "This screen is not registered" in response.content.decode()
    assert client.post(kiosk_url, {"service": "passport"}).status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("device", ["board", "another centre's kiosk", "rating", "made up"])
def test_only_this_centres_kiosk_gets_in(client, centre, kiosk_url, rating_token, device):
    token = {
        "board": lambda: factories.device_token("board", office=centre),
        "another centre's kiosk": lambda: factories.device_token(
            "kiosk", office=factories.centre(services=SERVICES)
        ),
        "rating": lambda: rating_token,
        "made up": lambda: "dev_not_a_device",
    }[device]()
    assert client.get(f"{kiosk_url}?device={token}").status_code == 403


def test_the_token_moves_from_the_address_into_a_signed_cookie(client, kiosk_url, kiosk_token):
    response = client.get(f"{kiosk_url}?device={kiosk_token}&lang=ru")
    assert response.status_code == 302
    assert response["Location"] == f"{kiosk_url}?lang=ru"  # the token leaves the address
    cookie = response.cookies[DEVICE_COOKIES["kiosk"]]
    assert cookie["httponly"] and cookie["path"] == "/queue/"
    assert kiosk_token in cookie.value and cookie.value != kiosk_token  # signed
    page = client.get(kiosk_url)
    assert page.status_code == 200 and 'lang="ru"' in page.content.decode()
    client.cookies[DEVICE_COOKIES["kiosk"]] = kiosk_token  # unsigned: refused
    assert client.get(kiosk_url).status_code == 403


def test_a_visitor_takes_a_ticket_topic_by_topic(kiosk, kiosk_url):
    start = kiosk.get(kiosk_url).content.decode()
    assert "?topic=identity" in start and "Take a ticket" in start
    topic = kiosk.get(f"{kiosk_url}?topic=identity").content.decode()
    assert "?service=passport" in topic
    step = kiosk.get(f"{kiosk_url}?service=passport").content.decode()
    assert 'name="service" value="passport"' in step and "Get a ticket" in step
    response = kiosk.post(kiosk_url, {"service": "passport", "iin": ""})
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    page = response.content.decode()
    assert ticket.channel == "kiosk" and ticket.priority == ""
    assert f"data-ticket-number>{ticket.number}<" in page
    assert f"/queue/t/{ticket.follow_code}/" in page and "You are next" in page
    assert "data-return-after" in page


def test_priority_by_the_toggle_and_for_the_elderly_by_the_iin(kiosk, kiosk_url):
    kiosk.post(kiosk_url, {"service": "passport", "priority": "on", "priority_reason": "pregnant"})
    kiosk.post(kiosk_url, {"service": "passport", "priority": "on"})
    today = timezone.localdate()
    elderly = factories.person()
    assert elderly.birth_date <= today.replace(year=today.year - 70)
    kiosk.post(kiosk_url, {"service": "passport", "iin": elderly.iin})
    reasons = list(Ticket.objects.order_by("seq").values_list("priority", flat=True))
    assert reasons == ["pregnant", "disability", "elderly"]


def test_a_mistyped_iin_is_explained_and_issues_nothing(kiosk, kiosk_url):
    response = kiosk.post(kiosk_url, {"service": "passport", "priority": "on", "iin": "88010"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "12 digits" in page and 'value="88010"' in page and "checked" in page
    assert not Ticket.objects.exists()
    again = kiosk.post(kiosk_url, {"service": "passport", "iin": "88010"}, **HTMX)
    assert again.status_code == 200  # htmx swaps only successful answers
    unknown = kiosk.post(kiosk_url, {"service": "no-such-service"})
    assert unknown.status_code == 422 and "?topic=identity" in unknown.content.decode()


def test_a_closed_centre_says_so_with_its_hours(client, centre, kiosk_url, kiosk_token):
    office = centre
    tomorrow = (services.local_now(office).weekday() + 1) % 7
    OpeningHours.objects.filter(office=office).exclude(weekday=tomorrow).delete()
    OpeningHours.objects.update_or_create(
        office=office,
        weekday=tomorrow,
        defaults={"opens": datetime.time(9), "closes": datetime.time(20)},
    )
    client.get(f"{kiosk_url}?device={kiosk_token}&lang=en")
    page = client.get(kiosk_url).content.decode()
    assert "The centre is closed now" in page and "09:00–20:00" in page
    refused = client.post(kiosk_url, {"service": "passport"})
    assert refused.status_code == 409 and "closed" in refused.content.decode()
    assert not Ticket.objects.exists()


def test_load_advice_lists_centres_of_the_city_with_a_shorter_wait(
    kiosk, centre, issue, serve, kiosk_url
):
    # Two centres of a town of their own, open around the clock, and one of another city.
    esil, saryarka = centre, factories.centre(services=SERVICES)
    for office in (esil, saryarka):
        office.city_kk = office.city_ru = office.city_en = "Testgrad"
        office.save()
    factories.centre(services=SERVICES)  # another city: never advised
    for _ in range(4):  # nobody at a window: 4 x 10 minutes
        issue()
    passport = esil.services.get(code="passport")
    advice = nearby_shorter_waits(esil, passport)
    assert [item.office.code for item in advice] == [saryarka.code]
    assert advice[0].minutes < services.estimate_wait(office=esil, service=passport)
    page = kiosk.get(f"{kiosk_url}?service=passport").content.decode()
    assert "Shorter wait nearby" in page and saryarka.name_en in page
    quiet = kiosk.get(f"{kiosk_url}?service=address-certificate").content.decode()
    assert "Shorter wait nearby" in quiet  # the same windows serve both services
    Ticket.objects.all().delete()
    assert "Shorter wait nearby" not in kiosk.get(f"{kiosk_url}?service=passport").content.decode()


# ---------------------------------------------------------------- workstation


def test_the_operator_calls_starts_and_finishes_through_the_page(operator, operators, issue):
    page = operator.get("/queue/window/?lang=en").content.decode()
    assert "Call next" in page and "Window 1" in page
    ticket = issue()
    response = operator.post("/queue/window/act/", {"window": 1, "action": "call_next"})
    assert response.status_code == 302 and response["Location"] == "/queue/window/?window=1"
    ticket.refresh_from_db()
    assert ticket.status == "called" and ticket.window.number == 1
    desk = operator.get("/queue/window/").content.decode()
    assert f"data-ticket-number>{ticket.number}<" in desk
    assert f"/applications/new/?service={ticket.service.code}" in desk
    assert "Recall" in desk and "Did not come" in desk
    started = operator.post(
        "/queue/window/act/", {"window": 1, "action": "start", "ticket": ticket.pk}, **HTMX
    )
    assert started.status_code == 200 and f"Serving {ticket.number}." in started.content.decode()
    assert 'value="finish"' in started.content.decode()
    operator.post("/queue/window/act/", {"window": 1, "action": "finish", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.status == "done" and ticket.operator == operators[1]
    counts = operator.get("/queue/window/counts/?window=1").content.decode()
    assert 'data-count="served">1<' in counts


def test_refusals_come_back_as_messages(operator, issue):
    empty = operator.post("/queue/window/act/", {"window": 1, "action": "call_next"}, **HTMX)
    assert "Nobody is waiting" in empty.content.decode()
    issue()
    issue()
    operator.post("/queue/window/act/", {"window": 1, "action": "call_next"})
    twice = operator.post("/queue/window/act/", {"window": 1, "action": "call_next"}, follow=True)
    assert twice.status_code == 200
    assert "Finish with the visitor at the window first." in twice.content.decode()
    closing = operator.post("/queue/window/act/", {"window": 1, "action": "close"}, **HTMX)
    assert 'role="alert"' in closing.content.decode()
    other = operator.post(
        "/queue/window/act/", {"window": 1, "action": "start", "ticket": 999999}, **HTMX
    )
    assert "No such ticket." in other.content.decode()
    assert Ticket.objects.filter(status="called").count() == 1


def test_the_operator_sends_a_visitor_to_another_window_or_service(operator, operators, issue):
    ticket = issue()
    operator.post("/queue/window/act/", {"window": 1, "action": "call_next"})
    operator.post(
        "/queue/window/act/",
        {"window": 1, "action": "transfer", "ticket": ticket.pk, "to": "window:3"},
    )
    moved = Ticket.objects.get(transferred_from=ticket)
    assert moved.number == ticket.number and moved.target_window.number == 3
    operator.force_login(operators[3])
    operator.post("/queue/window/act/", {"window": 3, "action": "call_next"})
    operator.post(
        "/queue/window/act/",
        {
            "window": 3,
            "action": "transfer",
            "ticket": moved.pk,
            "to": "service:address-certificate",
        },
    )
    assert Ticket.objects.get(transferred_from=moved).service.code == "address-certificate"


def test_the_window_opens_and_goes_on_a_break(operator):
    page = operator.post("/queue/window/act/", {"window": 1, "action": "open"}, **HTMX)
    assert "state-open" in page.content.decode()
    page = operator.post("/queue/window/act/", {"window": 1, "action": "break"}, **HTMX)
    assert "state-break" in page.content.decode()


def test_a_manager_chooses_any_window(client, centre, issue):
    client.force_login(factories.staff(Role.MANAGER, office=centre))
    page = client.get("/queue/window/?window=3&lang=en").content.decode()
    assert 'id="window-choice"' in page and '<option value="3" selected>' in page
    issue()
    client.post("/queue/window/act/", {"window": 3, "action": "call_next"})
    assert Ticket.objects.get().window.number == 3


def test_the_workstation_is_for_the_centres_staff(client):
    assert client.get("/queue/window/")["Location"].startswith("/login/")
    client.force_login(factories.citizen())
    assert client.get("/queue/window/").status_code == 403
    assert (
        client.post("/queue/window/act/", {"window": 1, "action": "call_next"}).status_code == 403
    )


# ---------------------------------------------------------------- rating screen


@pytest.fixture
def serve(centre, operators, issue):
    """A visit served at a window, from the ticket to "finish"."""

    def serve(number_of_window: int = 1) -> Ticket:
        operator = operators[number_of_window]
        issue()
        ticket = services.call_next(
            actor=operator, office_code=centre.code, window_number=number_of_window
        )
        services.move(actor=operator, ticket=ticket, action="start")
        return services.move(actor=operator, ticket=ticket, action="finish")

    return serve


def test_the_rating_screen_rates_the_last_visit_once(
    client, operators, serve, rating_url, rating_token
):
    assert client.get(rating_url).status_code == 403
    client.get(f"{rating_url}?device={rating_token}&lang=en")
    assert "Welcome" in client.get(rating_url).content.decode()
    ticket = serve()
    page = client.get(rating_url).content.decode()
    assert f"data-ticket-number>{ticket.number}<" in page and page.count('name="score"') == 4
    polled = client.get(f"{rating_url}?shown={ticket.pk}", **HTMX)
    assert polled.status_code == 204  # nothing new: the screen stays as it is
    thanks = client.post(rating_url, {"ticket": ticket.pk, "score": "excellent"})
    assert thanks.status_code == 200 and "Thank you!" in thanks.content.decode()
    rating = Rating.objects.get()
    assert rating.score == "excellent" and rating.operator == operators[1]
    assert "Welcome" in client.get(rating_url).content.decode()
    again = client.post(rating_url, {"ticket": ticket.pk, "score": "poor"}, **HTMX)
    assert "already rated" in again.content.decode() and Rating.objects.count() == 1


def test_the_rating_screen_of_another_window_sees_nothing(client, centre, serve):
    ticket = serve()
    window_two = factories.device_token("rating", office=centre, window=2)
    client.get(f"/queue/rate/{centre.code}/1/?device={window_two}")
    assert client.get(f"/queue/rate/{centre.code}/1/").status_code == 403
    client.get(f"/queue/rate/{centre.code}/2/?device={window_two}")
    refused = client.post(f"/queue/rate/{centre.code}/2/", {"ticket": ticket.pk, "score": "poor"})
    assert "cannot be rated here" in refused.content.decode()
    assert not Rating.objects.exists()


def test_the_next_call_hides_the_previous_visit(
    client, centre, operators, issue, serve, rating_url, rating_token
):
    client.get(f"{rating_url}?device={rating_token}")
    serve()
    issue()
    services.call_next(actor=operators[1], office_code=centre.code, window_number=1)
    assert 'name="score"' not in client.get(rating_url).content.decode()


# ---------------------------------------------------------------- follow page and board


def test_the_follow_page_shows_the_place_and_then_the_window(client, centre, operators, issue):
    first, second = issue(), issue()
    page = client.get(f"/queue/t/{second.follow_code}/?lang=en").content.decode()
    assert second.number in page and "People ahead of you" in page
    assert 'hx-trigger="every 5s"' in page
    services.call_next(actor=operators[2], office_code=centre.code, window_number=2)
    called = client.get(f"/queue/t/{first.follow_code}/", **HTMX).content.decode()
    assert "Go to window 2" in called and "<html" not in called
    assert client.get("/queue/t/nothing00/").status_code == 404


def test_a_transferred_visitor_keeps_following_the_same_code(client, centre, operators, issue):
    ticket = issue()
    operator = operators[1]
    services.call_next(actor=operator, office_code=centre.code, window_number=1)
    services.transfer(actor=operator, ticket=ticket, window_number=3)
    page = client.get(f"/queue/t/{ticket.follow_code}/?lang=en").content.decode()
    assert "Waiting" in page and ticket.number in page


def test_the_board_page_starts_with_the_calls_and_polls_the_snapshot(
    client, centre, operators, issue
):
    ticket = issue()
    services.call_next(actor=operators[4], office_code=centre.code, window_number=4)
    page = client.get(f"/queue/board/{centre.code}/?lang=kk")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-theme="dark"' in body and 'lang="kk"' in body
    assert f'<span class="board-number">{ticket.number}</span>' in body
    assert f"/api/v1/offices/{centre.code}/board" in body
    assert client.get("/queue/board/nowhere/").status_code == 404
