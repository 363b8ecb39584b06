"""Fixtures shared with the service tests: the hand-built fortnight of March 2026."""

from tests.services.test_reports import week11  # noqa: F401
