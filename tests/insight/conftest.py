"""The console's fixtures (accounts of each role, signed-in clients) for the statistics tests."""

from tests.admin.conftest import console  # noqa: F401  (a fixture, used by name)
