"""Iterate over the items of any paginated endpoint, sync or async, whatever its paging style.

Each generated endpoint module has a ``PAGINATION`` constant naming its style and parameter names
(or None); ``paginate``/``apaginate`` read it, call the module's ``*_detailed`` function page after
page, and yield the items: the parsed models when the response was parsed, else the raw JSON items.

Styles (``items`` is the JSON key of the item array, ``items_attr`` the attribute on the parsed model):

- ``offset``: Jira startAt/maxResults/total/isLast (``start_param``).
- ``token``: Jira nextPageToken/isLast (``token_param``).
- ``start_limit``: Confluence v1/Data Center and JSM start/limit with ``_links.next`` or isLastPage.
- ``cursor``: Confluence v2, the ``cursor`` of the ``_links.next`` URL or of the Link header's next URL.
- ``list``: the body is a JSON array; one call.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from .errors import error_from_parts

__all__ = ["PageResponse", "apaginate", "paginate"]

_REQUIRED = {
    "offset": ("start_param",),
    "token": ("token_param",),
    "start_limit": ("start_param",),
    "cursor": ("token_param",),
    "list": (),
}


class PageResponse(Protocol):
    """What a generated ``*_detailed`` function returns (its ``Response`` class)."""

    @property
    def status_code(self) -> int: ...
    @property
    def content(self) -> bytes: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def parsed(self) -> Any: ...


def paginate(
    operation: Callable[..., PageResponse],
    /,
    *args: Any,
    max_items: int | None = None,
    page_size: int | None = None,
    **kwargs: Any,
) -> Iterator[Any]:
    """Yield the items of every page of ``operation(*args, **kwargs)``, at most ``max_items`` of them.

    ``page_size`` sets the operation's limit parameter (ignored if it has none); start or token
    arguments given by the caller are where paging starts. Bad arguments raise at once, before any request;
    a page with status >= 400 raises the matching ``AtlassianError``.
    """
    if inspect.iscoroutinefunction(operation):
        raise TypeError(f"{_name(operation)} is async: use apaginate()")
    detailed, pager = _prepare(operation, "sync", kwargs, max_items, page_size)

    def pages() -> Iterator[Any]:
        while pager.wants_more():
            yield from pager.take(detailed(*args, **pager.kwargs))

    return pages()


def apaginate(
    operation: Callable[..., Awaitable[PageResponse]],
    /,
    *args: Any,
    max_items: int | None = None,
    page_size: int | None = None,
    **kwargs: Any,
) -> AsyncIterator[Any]:
    """Async twin of :func:`paginate`, for a module's ``asyncio_detailed`` (or ``asyncio``)."""
    if getattr(operation, "__name__", "") in ("sync", "sync_detailed"):
        raise TypeError(f"{_name(operation)} is sync: use paginate()")
    detailed, pager = _prepare(operation, "asyncio", kwargs, max_items, page_size)

    async def pages() -> AsyncIterator[Any]:
        while pager.wants_more():
            for item in pager.take(await detailed(*args, **pager.kwargs)):
                yield item

    return pages()


def _name(operation: Callable[..., Any]) -> str:
    name = getattr(operation, "__name__", None) or repr(operation)
    return f"{getattr(operation, '__module__', None) or '?'}.{name}"


def _prepare(
    operation: Callable[..., Any],
    kind: str,
    kwargs: dict[str, Any],
    max_items: int | None,
    page_size: int | None,
) -> tuple[Callable[..., Any], _Pager]:
    """Find the ``*_detailed`` function and its PAGINATION, and check the arguments."""
    module = sys.modules.get(getattr(operation, "__module__", None) or "")
    spec = getattr(module, "PAGINATION", None)
    if not isinstance(spec, Mapping):
        raise TypeError(f"{_name(operation)} is not paginated (its module's PAGINATION is missing or None)")
    style = spec.get("style", "")
    if style not in _REQUIRED or not all(spec.get(key) for key in _REQUIRED[style]):
        raise TypeError(f"{_name(operation)} has an unusable PAGINATION {dict(spec)!r}")
    if getattr(operation, "__name__", "") == kind:  # The plain function returns only the parsed body.
        detailed = getattr(module, f"{kind}_detailed", None)
        if detailed is None:
            raise TypeError(f"{_name(operation)} has no {kind}_detailed twin to paginate with")
        operation = detailed
    if max_items is not None and max_items < 0:
        raise ValueError(f"max_items must be >= 0, not {max_items}")
    if page_size is not None and page_size < 1:
        raise ValueError(f"page_size must be >= 1, not {page_size}")
    kwargs = dict(kwargs)
    if page_size is not None and spec.get("limit_param"):
        kwargs[spec["limit_param"]] = page_size
    return operation, _Pager(spec, kwargs, max_items)


class _Pager:
    """The paging state shared by the sync and async loops: next arguments, items left, tokens seen."""

    def __init__(self, spec: Mapping[str, str], kwargs: dict[str, Any], max_items: int | None) -> None:
        self.spec = spec
        self.style = spec["style"]
        self.kwargs = kwargs
        self.done = False
        self.left = max_items
        token = kwargs.get(spec.get("token_param", ""))
        self.seen: set[str] = {token} if isinstance(token, str) and token else set()

    def wants_more(self) -> bool:
        return not self.done and (self.left is None or self.left > 0)

    def take(self, response: PageResponse) -> list[Any]:
        """This page's items (no more than still wanted); moves ``kwargs`` to the next page, or sets done."""
        status = int(response.status_code)
        if status >= 400:
            raise error_from_parts(status, response.headers, response.content)
        body = _json(response.content)
        items = self._items(response.parsed, body)
        following = self._next(body if isinstance(body, dict) else {}, response.headers, len(items))
        limit = self.kwargs.get(self.spec.get("limit_param", ""))
        if isinstance(body, list) and isinstance(limit, int) and len(items) < limit:
            following = None  # A plain array with offset params: a short page is the last one.
        if following is None:
            self.done = True
        else:
            self.kwargs = following
        if self.left is not None:
            items = items[: self.left]
            self.left -= len(items)
        return items

    def _items(self, parsed: Any, body: Any) -> list[Any]:
        attr, key = self.spec.get("items_attr", ""), self.spec.get("items", "")
        models = getattr(parsed, attr, None) if attr else parsed
        if isinstance(models, list):
            return models
        raw = body.get(key) if key and isinstance(body, dict) else None if key else body
        return raw if isinstance(raw, list) else []

    def _next(self, body: dict[str, Any], headers: Mapping[str, str], count: int) -> dict[str, Any] | None:
        if self.style == "list":
            return None
        if self.style in ("offset", "start_limit"):
            if count == 0:
                return None
            param = self.spec["start_param"]
            sent = self.kwargs.get(param)
            start = body.get("startAt" if self.style == "offset" else "start", sent)
            start = start if isinstance(start, int) else 0
            if self.style == "offset":
                total = body.get("total")
                if body.get("isLast") is True or (isinstance(total, int) and start + count >= total):
                    return None
            elif body.get("isLastPage") is True or ("isLastPage" not in body and not _link_next(body)):
                return None
            return {**self.kwargs, param: start + count}
        if self.style == "token":
            token = None if body.get("isLast") is True else body.get("nextPageToken")
        else:
            token = _cursor(_link_next(body)) or _cursor(_link_header_next(headers))
        if not isinstance(token, str) or not token or token in self.seen:
            return None  # The last page, or a server repeating itself.
        self.seen.add(token)
        return {**self.kwargs, self.spec["token_param"]: token}


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _link_next(body: dict[str, Any]) -> str | None:
    links = body.get("_links")
    link = links.get("next") if isinstance(links, dict) else None
    return link if isinstance(link, str) and link else None


def _link_header_next(headers: Mapping[str, str]) -> str | None:
    """The rel="next" URL of an RFC 8288 Link header."""
    for url, params in re.findall(r"<([^>]*)>([^<]*)", headers.get("link") or headers.get("Link") or ""):
        rel = re.search(r'\brel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', params)
        if rel and "next" in (rel.group(1) or rel.group(2)).lower().split():
            return str(url)
    return None


def _cursor(url: str | None) -> str | None:
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get("cursor")
    return values[0] if values else None
