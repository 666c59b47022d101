"""The CLI tests use the API tests' account: billed, and 25 days past due today."""

from tests.api.conftest import billed, today  # noqa: F401
