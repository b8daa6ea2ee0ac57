"""The API tests' token personas, for tests/claims/test_api.py."""

from tests.api.conftest import tokens  # noqa: F401 - a fixture
