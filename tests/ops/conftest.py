# Tests here that run on real transactions end by flushing every table: reload the reference data.
from tests.registry.conftest import pytest_runtest_teardown  # noqa: F401
