"""Each process keeps centres, services and device tokens for a few seconds; what does not
exist is not kept, or made-up codes and tokens would fill the memory."""

import pytest

from onestop.demo.services import demo_device_token, load_demo
from onestop.queueing import layout

pytestmark = pytest.mark.django_db


def test_made_up_codes_and_tokens_leave_nothing_behind(django_assert_num_queries):
    """A centre, service or token that exists is read once; one that does not is asked
    for again every time, so nothing of it stays in memory."""
    load_demo()
    layout.clear()
    token = demo_device_token("kiosk", "astana-esil")
    assert layout.layout("astana-esil") is not None
    assert layout.device(token) is not None
    with django_assert_num_queries(0):
        assert layout.layout("astana-esil") is not None
        assert layout.device(token) is not None

    for n in range(3):
        with django_assert_num_queries(3):
            assert layout.layout(f"no-such-centre-{n % 2}") is None
            assert layout.service(f"no-such-service-{n % 2}") is None
            assert layout.device(f"dev_made_up_{n % 2}") is None
