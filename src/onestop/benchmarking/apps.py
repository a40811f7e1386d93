from django.apps import AppConfig


class Config(AppConfig):
    """Installed only for bench/load.py (ONESTOP_BENCHMARK=on), so that its table and URL
    are never part of a production installation."""

    name = "onestop.benchmarking"
    label = "benchmarking"
    verbose_name = "Benchmarking"
