"""Each process keeps centres, services and device tokens for a few seconds; what does not
exist is not kept, or made-up codes and tokens would fill the memory."""

import pytest

from onestop.queueing import layout
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def test_made_up_codes_and_tokens_leave_nothing_behind(centre, django_assert_num_queries):
    """A centre, service or token that exists is read once; one that does not is asked
    for again every time, so nothing of it stays in memory."""
    token = factories.device_token("kiosk", office=centre)
    layout.clear()
    assert layout.layout(centre.code) is not None
    assert layout.device(token) is not None
    with django_assert_num_queries(0):
        assert layout.layout(centre.code) is not None
        assert layout.device(token) is not None

    for n in range(3):
        with django_assert_num_queries(3):
            assert layout.layout(f"no-such-centre-{n % 2}") is None
            assert layout.service(f"no-such-service-{n % 2}") is None
            assert layout.device(f"dev_made_up_{n % 2}") is None
