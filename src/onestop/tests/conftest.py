"""The data the platform-wide tests act on, made for each test by the factories."""

import pytest

from onestop.people.models import Role
from onestop.tests import factories


@pytest.fixture
def centre(db):
    """A centre of the test's own, open around the clock."""
    return factories.centre()


@pytest.fixture
def operator(centre):
    """An operator at window 1 of the test's centre."""
    return factories.staff(Role.OPERATOR, office=centre, window=1)


@pytest.fixture
def manager(centre):
    return factories.staff(Role.MANAGER, office=centre)


@pytest.fixture
def citizen(db):
    """A citizen with an account, in the population registry."""
    return factories.citizen()


@pytest.fixture
def kiosk(centre):
    """The headers of the test centre's kiosk calling the API."""
    return factories.bearer(factories.device_token("kiosk", office=centre))


@pytest.fixture
def logged_in(api_client):
    """A bearer token got by logging in through `POST /auth/token`, as any client does."""

    def log_in(user) -> str:
        response = api_client.post(
            "/api/v1/auth/token",
            {"username": user.username, "password": factories.password(user)},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return response.json()["token"]

    return log_in
