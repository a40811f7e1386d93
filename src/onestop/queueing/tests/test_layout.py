"""Each process keeps centres, services and device tokens for a few seconds; what does not
exist is not kept, or made-up codes and tokens would fill the memory."""

import pytest

from onestop.demo.services import demo_device_token, load_demo
from onestop.queueing import layout

pytestmark = pytest.mark.django_db


def test_made_up_codes_and_tokens_leave_nothing_behind():
    load_demo()
    layout.clear()
    assert layout.layout("astana-esil") is not None
    assert layout.device(demo_device_token("kiosk", "astana-esil")) is not None
    kept = len(layout._entries)

    for n in range(200):
        assert layout.layout(f"no-such-centre-{n}") is None
        assert layout.service(f"no-such-service-{n}") is None
        assert layout.device(f"dev_made_up_{n}") is None
    assert len(layout._entries) == kept
