"""The SDKs' retry messages reach the client of the retrying call, and stderr exactly as before (at -vv only)."""

from __future__ import annotations

import logging

import pytest

from adapter import client_log


def test_retry_lines_still_reach_the_server_log_at_its_level(caplog: pytest.LogCaptureFixture) -> None:
    client_log.install_retry_forwarding()
    client_log.install_retry_forwarding()  # idempotent: one handler
    retry = logging.getLogger("jira_sdk._runtime.retry")
    assert sum(isinstance(h, client_log._Forward) for h in retry.handlers) == 1
    caplog.set_level(logging.WARNING)
    retry.debug("retry %d for %s %s after %s, in %.2fs", 1, "GET", "https://x/rest?q=1", "429", 0.5)
    assert caplog.records == []  # not at the default level, as before
    caplog.set_level(logging.DEBUG)
    retry.debug("retry %d for %s %s after %s, in %.2fs", 1, "GET", "https://x/rest?q=1", "429", 0.5)
    # a set: in the full suite an earlier test leaves a second capture path and the record is seen twice (not
    # reproduced alone; noted in issue 13); what this checks is that the line arrives, at DEBUG and not at WARNING
    assert {r.getMessage() for r in caplog.records} == {"retry 1 for GET https://x/rest?q=1 after 429, in 0.50s"}
