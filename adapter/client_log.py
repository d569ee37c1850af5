"""MCP log notifications (`notifications/message`) for tool calls: upstream errors and the SDKs' retries.

Clients of 2025 protocol versions pick the lowest level with `logging/setLevel` (per session; `info` until they
do); 2026-07-28 clients ask per request in `_meta`, as that protocol has no `logging/setLevel`. Every message is
masked with the configured secrets and the request's own credentials before it leaves. Stateless HTTP answers
JSON, which carries no notifications, so there the server offers no logging (see `AtlassianServer.lowlevel`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, get_args

import mcp.types as types
from mcp.server.connection import allowed_log_levels
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from .config import SecretMaskingFilter, Settings, secrets
from .multiuser import Credential

LEVELS: tuple[str, ...] = get_args(types.LoggingLevel)  # severity ascending
DEFAULT_LEVEL = "info"
_STATE_KEY = "atlassian_mcp.log_level"
RETRY_LOGGERS = ("jira_sdk._runtime.retry", "confluence_sdk._runtime.retry")
_current: ContextVar[CallLog | None] = ContextVar("atlassian_mcp_call_log", default=None)


def _connection_state(ctx: Any) -> dict[str, Any]:
    """The session's scratch state (the SDK keeps one `Connection` per session; stateless HTTP: per request)."""
    connection = getattr(ctx.session, "_connection", None)
    return connection.state if connection is not None else {}


async def set_level(ctx: Any, params: types.SetLevelRequestParams) -> types.EmptyResult:
    _connection_state(ctx)[_STATE_KEY] = params.level
    return types.EmptyResult()


class CallLog:
    """The log notifications of one tool call, sent on that call's response stream, at or above the level asked."""

    def __init__(self, ctx: Any, masking: SecretMaskingFilter) -> None:
        self.ctx, self.masking = ctx, masking
        self.allowed: frozenset[str]
        if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
            self.allowed = allowed_log_levels(ctx.protocol_version, ctx.meta)
        else:
            lowest = _connection_state(ctx).get(_STATE_KEY, DEFAULT_LEVEL)
            self.allowed = frozenset(LEVELS[LEVELS.index(lowest) :])
        self.sending: list[asyncio.Task[None]] = []

    def emit(self, level: str, message: str) -> None:
        if level not in self.allowed:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not from the call's event loop (a sync client in a worker thread): nowhere to send
            return
        self.sending.append(loop.create_task(self._send(level, self.masking.mask(message))))

    async def _send(self, level: str, message: str) -> None:
        note = types.LoggingMessageNotification(
            params=types.LoggingMessageNotificationParams(level=level, data=message, logger="atlassian-mcp")  # type: ignore[arg-type]
        )
        try:
            await self.ctx.session.send_notification(note, related_request_id=self.ctx.request_id)
        except Exception:  # a client gone or a stream closed: the call's result matters, not its log
            logging.getLogger("atlassian_mcp").debug("log notification not delivered", exc_info=True)

    async def flush(self) -> None:
        """Before the result goes out, so every message arrives ahead of it."""
        await asyncio.gather(*self.sending)


@contextmanager
def call_log(ctx: Any, settings: Settings, credential: Credential | None) -> Iterator[CallLog]:
    log = CallLog(ctx, SecretMaskingFilter(secrets(settings) + _credential_secrets(credential)))
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def note(level: str, message: str) -> None:
    """Log to the client of the tool call in progress, if any."""
    log = _current.get()
    if log is not None:
        log.emit(level, message)


def _credential_secrets(credential: Credential | None) -> tuple[str, ...]:
    if credential is None:
        return ()
    found = [credential.secret, *credential.tokens.values()]
    if credential.scheme == "basic":
        found += [credential.secret.partition(":")[2], base64.b64encode(credential.secret.encode()).decode()]
    return tuple(s for s in found if s)


class _Forward(logging.Handler):
    """The SDKs' retry messages (debug records) to the client of the call that retried, and on to the loggers
    above as before (the retry loggers are set to DEBUG for this, so they must not propagate on their own)."""

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 5:  # (attempt, method, url, cause, delay): the URL without its query, which can be long
            attempt, method, url, cause, delay = args
            note("warning", f"retry {attempt} of {method} {str(url).split('?')[0]} after {cause}, in {delay:.1f}s")
        else:
            note("warning", record.getMessage())
        parent = logging.getLogger(record.name).parent
        if parent is not None and record.levelno >= parent.getEffectiveLevel():
            parent.handle(record)


def install_retry_forwarding() -> None:
    for name in RETRY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _Forward) for h in logger.handlers):
            logger.addHandler(_Forward())
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
