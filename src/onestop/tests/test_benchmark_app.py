"""The benchmark's bare endpoint and its table exist only where ONESTOP_BENCHMARK=on asks
for them, never in a production schema."""

import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.db import connection


@pytest.mark.django_db
def test_production_has_neither_the_bare_endpoint_nor_its_table(client):
    assert not apps.is_installed("onestop.benchmarking")
    assert client.post("/bench/bare", {}).status_code == 404
    tables = connection.introspection.table_names()
    assert "operations_barewrite" not in tables and "benchmarking_barewrite" not in tables


def test_the_benchmark_installs_its_app_when_asked(tmp_path):
    def migrations(**variables) -> subprocess.CompletedProcess:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("ONESTOP_")}
        environ.update(ONESTOP_DATA_DIR=str(tmp_path), **variables)
        return subprocess.run(
            [sys.executable, "-m", "onestop", "showmigrations", "benchmarking"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert "[ ] 0001_initial" in migrations(ONESTOP_BENCHMARK="on").stdout
    assert migrations().returncode != 0
