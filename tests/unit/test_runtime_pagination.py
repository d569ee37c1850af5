"""Tests for codegen/runtime/pagination.py: the five paging styles, sync and async, over fake endpoints.

Each fake endpoint is a real module object (registered in sys.modules) with a PAGINATION constant and
``sync``/``sync_detailed``/``asyncio``/``asyncio_detailed`` functions shaped like generated ones, which
call an httpx client over MockTransport serving pages of ``{"id": n}`` items.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import types
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest

from codegen.runtime.errors import AtlassianError, NotFoundError
from codegen.runtime.pagination import apaginate, paginate

Pages = Callable[[httpx.Request], httpx.Response]
_names = itertools.count()


class Unset:
    """Like the generated UNSET: falsy, not a list."""

    def __bool__(self) -> bool:
        return False


UNSET = Unset()


@attrs.frozen
class Response:
    """Like the generated Response."""

    status_code: int
    content: bytes
    headers: httpx.Headers
    parsed: Any


@attrs.frozen
class Item:
    id: int


@attrs.frozen
class Page:
    values: list[Item] | Unset = UNSET


class FakeApi:
    """A fake generated endpoint module plus the clients and the record of requests it served."""

    def __init__(
        self, pagination: dict[str, str] | None, pages: Pages, parse: Callable[[Any], Any] | None = None
    ) -> None:
        self.requests: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            if len(self.requests) > 50:  # Fail rather than hang if paging never stops.
                raise AssertionError("runaway pagination")
            return pages(request)

        def wrap(response: httpx.Response) -> Response:
            parsed = parse(response.json()) if parse and response.status_code == 200 else None
            return Response(response.status_code, response.content, response.headers, parsed)

        def sync_detailed(path: str = "/items", *, client: httpx.Client, **params: Any) -> Response:
            return wrap(client.get(path, params=query(params)))

        def sync(path: str = "/items", *, client: httpx.Client, **params: Any) -> Any:
            return sync_detailed(path, client=client, **params).parsed

        async def asyncio_detailed(path: str = "/items", *, client: httpx.AsyncClient, **params: Any) -> Response:
            return wrap(await client.get(path, params=query(params)))

        async def asyncio(path: str = "/items", *, client: httpx.AsyncClient, **params: Any) -> Any:
            return (await asyncio_detailed(path, client=client, **params)).parsed

        self.module = types.ModuleType(f"fake_endpoint_{next(_names)}")
        self.module.PAGINATION = pagination  # type: ignore[attr-defined]
        for function in (sync_detailed, sync, asyncio_detailed, asyncio):
            function.__module__ = self.module.__name__
            setattr(self.module, function.__name__, function)
        sys.modules[self.module.__name__] = self.module
        transport = httpx.MockTransport(handler)
        self.client = httpx.Client(transport=transport, base_url="https://x.atlassian.net")
        self.aclient = httpx.AsyncClient(transport=transport, base_url="https://x.atlassian.net")

    def params(self, name: str) -> list[str | None]:
        """The value of query parameter ``name`` in each request served."""
        return [request.url.params.get(name) for request in self.requests]


def query(params: dict[str, Any]) -> dict[str, Any]:
    """Python argument names to Atlassian's camelCase query names, leaving out unset ones."""
    camel = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), k): v for k, v in params.items()}
    return {k: v for k, v in camel.items() if v is not None and not isinstance(v, Unset)}


async def drain(mode: str, api: FakeApi, *args: Any, function: str = "", **kwargs: Any) -> list[Any]:
    """All items, through paginate (mode "sync") or apaginate (mode "async")."""
    if mode == "sync":
        operation = getattr(api.module, function or "sync_detailed")
        return list(paginate(operation, *args, client=api.client, **kwargs))
    operation = getattr(api.module, function or "asyncio_detailed")
    return [item async for item in apaginate(operation, *args, client=api.aclient, **kwargs)]


modes = pytest.mark.parametrize("mode", ["sync", "async"])


def items(start: int, stop: int) -> list[dict[str, int]]:
    return [{"id": n} for n in range(start, stop)]


def int_param(request: httpx.Request, name: str, default: int) -> int:
    return int(request.url.params.get(name, default))


# Jira startAt/maxResults.

OFFSET = {
    "style": "offset",
    "items": "values",
    "items_attr": "values",
    "start_param": "start_at",
    "limit_param": "max_results",
}


def offset_pages(n: int, *, total: bool = True, is_last: bool = True, key: str = "values") -> Pages:
    def pages(request: httpx.Request) -> httpx.Response:
        start, size = int_param(request, "startAt", 0), int_param(request, "maxResults", 2)
        body: dict[str, Any] = {"startAt": start, "maxResults": size, key: items(start, min(start + size, n))}
        if total:
            body["total"] = n
        if is_last:
            body["isLast"] = start + size >= n
        return httpx.Response(200, json=body)

    return pages


@modes
async def test_offset_walks_all_pages(mode: str) -> None:
    api = FakeApi(OFFSET, offset_pages(7))
    assert await drain(mode, api, page_size=3) == items(0, 7)
    assert api.params("startAt") == [None, "3", "6"]
    assert api.params("maxResults") == ["3", "3", "3"]


@modes
@pytest.mark.parametrize(("total", "is_last", "requests"), [(True, False, 4), (False, True, 4), (False, False, 5)])
async def test_offset_stops_on_total_or_is_last_or_empty_page(
    mode: str, total: bool, is_last: bool, requests: int
) -> None:
    api = FakeApi(OFFSET, offset_pages(8, total=total, is_last=is_last))
    assert await drain(mode, api) == items(0, 8)
    assert len(api.requests) == requests  # Without total nor isLast, an empty 5th page ends it.


@modes
async def test_offset_follows_what_the_server_returned_not_what_was_asked(mode: str) -> None:
    def pages(request: httpx.Request) -> httpx.Response:  # Caps maxResults at 2 whatever is asked.
        start = int_param(request, "startAt", 0)
        return httpx.Response(200, json={"startAt": start, "total": 5, "issues": items(start, min(start + 2, 5))})

    api = FakeApi({**OFFSET, "items": "issues", "items_attr": "issues"}, pages)
    assert await drain(mode, api, page_size=50) == items(0, 5)
    assert api.params("startAt") == [None, "2", "4"]


@modes
async def test_offset_starts_where_the_caller_says_and_passes_args(mode: str) -> None:
    api = FakeApi(OFFSET, offset_pages(6))
    assert await drain(mode, api, "/rest/api/3/issue/X-1/worklog", start_at=2, max_results=3) == items(2, 6)
    assert api.params("startAt") == ["2", "5"]
    assert {request.url.path for request in api.requests} == {"/rest/api/3/issue/X-1/worklog"}


@modes
async def test_max_items_stops_fetching(mode: str) -> None:
    api = FakeApi(OFFSET, offset_pages(100))
    assert await drain(mode, api, page_size=3, max_items=4) == items(0, 4)
    assert len(api.requests) == 2
    api = FakeApi(OFFSET, offset_pages(100))
    assert await drain(mode, api, page_size=3, max_items=6) == items(0, 6)
    assert len(api.requests) == 2  # The 6th item ends a page: no 3rd fetch.
    api = FakeApi(OFFSET, offset_pages(100))
    assert await drain(mode, api, max_items=0) == []
    assert api.requests == []


def test_max_items_fetches_lazily() -> None:
    api = FakeApi(OFFSET, offset_pages(100))
    iterator = paginate(api.module.sync_detailed, client=api.client, page_size=2)
    assert len(api.requests) == 0
    assert [next(iterator), next(iterator)] == items(0, 2)
    assert len(api.requests) == 1
    assert next(iterator) == {"id": 2}
    assert len(api.requests) == 2


@modes
async def test_parsed_items_are_preferred(mode: str) -> None:
    def parse(body: dict[str, Any]) -> Page:
        return Page([Item(**value) for value in body["values"]])

    api = FakeApi(OFFSET, offset_pages(3), parse)
    assert await drain(mode, api) == [Item(0), Item(1), Item(2)]


@modes
@pytest.mark.parametrize("parsed", [None, Page(), "not a page"])
async def test_raw_items_when_parsed_lacks_them(mode: str, parsed: Any) -> None:
    api = FakeApi(OFFSET, offset_pages(3), lambda body: parsed)
    assert await drain(mode, api) == items(0, 3)


# Jira nextPageToken.

TOKEN = {
    "style": "token",
    "items": "issues",
    "items_attr": "issues",
    "token_param": "next_page_token",
    "limit_param": "max_results",
}


def token_pages(n: int, size: int = 2) -> Pages:
    def pages(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("nextPageToken", "t0")[1:])
        end = min(start + int_param(request, "maxResults", size), n)
        body: dict[str, Any] = {"issues": items(start, end), "isLast": end >= n}
        if end < n:
            body["nextPageToken"] = f"t{end}"
        return httpx.Response(200, json=body)

    return pages


@modes
async def test_token_walks_all_pages(mode: str) -> None:
    api = FakeApi(TOKEN, token_pages(5))
    assert await drain(mode, api, jql="project = X") == items(0, 5)
    assert api.params("nextPageToken") == [None, "t2", "t4"]
    assert api.params("jql") == ["project = X"] * 3


@modes
async def test_token_stops_on_is_last_even_with_a_token(mode: str) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"issues": items(0, 2), "isLast": True, "nextPageToken": "more"})

    api = FakeApi(TOKEN, pages)
    assert await drain(mode, api) == items(0, 2)
    assert len(api.requests) == 1


@modes
async def test_token_starts_from_callers_token(mode: str) -> None:
    api = FakeApi(TOKEN, token_pages(5))
    assert await drain(mode, api, next_page_token="t3", page_size=1) == items(3, 5)
    assert api.params("nextPageToken") == ["t3", "t4"]
    assert api.params("maxResults") == ["1", "1"]


@modes
async def test_repeated_token_stops(mode: str) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"issues": items(0, 1), "nextPageToken": "same"})

    api = FakeApi(TOKEN, pages)
    assert await drain(mode, api) == items(0, 1) * 2
    assert api.params("nextPageToken") == [None, "same"]


# Confluence v1 / Data Center / JSM start/limit.

START_LIMIT = {
    "style": "start_limit",
    "items": "results",
    "items_attr": "results",
    "start_param": "start",
    "limit_param": "limit",
}


def start_limit_pages(n: int, *, jsm: bool = False) -> Pages:
    def pages(request: httpx.Request) -> httpx.Response:
        start, limit = int_param(request, "start", 0), int_param(request, "limit", 2)
        page = items(start, min(start + limit, n))
        body: dict[str, Any] = {"start": start, "limit": limit, "size": len(page), "_links": {"base": "x"}}
        if jsm:
            body.update(values=page, isLastPage=start + limit >= n)
        else:
            body["results"] = page
            if start + limit < n:
                body["_links"]["next"] = f"/rest/api/content?limit={limit}&start={start + limit}"
        return httpx.Response(200, json=body)

    return pages


@modes
async def test_start_limit_follows_links_next(mode: str) -> None:
    api = FakeApi(START_LIMIT, start_limit_pages(5))
    assert await drain(mode, api, page_size=2) == items(0, 5)
    assert api.params("start") == [None, "2", "4"]
    assert api.params("limit") == ["2", "2", "2"]


@modes
async def test_start_limit_jsm_is_last_page(mode: str) -> None:
    api = FakeApi({**START_LIMIT, "items": "values", "items_attr": "values"}, start_limit_pages(4, jsm=True))
    assert await drain(mode, api, start=1) == items(1, 4)
    assert api.params("start") == ["1", "3"]


@modes
async def test_start_limit_empty_page_stops(mode: str) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": [], "_links": {"next": "/rest/api/content?start=0"}})

    api = FakeApi(START_LIMIT, pages)
    assert await drain(mode, api) == []
    assert len(api.requests) == 1


# Confluence v2 cursor.

CURSOR = {
    "style": "cursor",
    "items": "results",
    "items_attr": "results",
    "token_param": "cursor",
    "limit_param": "limit",
}


def cursor_pages(n: int, *, in_header: bool = False) -> Pages:
    def pages(request: httpx.Request) -> httpx.Response:
        start, limit = int(request.url.params.get("cursor", "c0")[1:]), int_param(request, "limit", 2)
        body: dict[str, Any] = {"results": items(start, min(start + limit, n)), "_links": {"base": "x"}}
        headers = {}
        if start + limit < n:
            url = f"/wiki/api/v2/pages?cursor=c{start + limit}&limit={limit}"
            if in_header:
                headers["Link"] = f'<https://x/wiki/api/v2/pages?limit=1>; rel="prev", <{url}>; rel="next"'
            else:
                body["_links"]["next"] = url
        return httpx.Response(200, json=body, headers=headers)

    return pages


@modes
@pytest.mark.parametrize("in_header", [False, True])
async def test_cursor_from_links_next_or_link_header(mode: str, in_header: bool) -> None:
    api = FakeApi(CURSOR, cursor_pages(5, in_header=in_header))
    assert await drain(mode, api, "/wiki/api/v2/pages", page_size=2) == items(0, 5)
    assert api.params("cursor") == [None, "c2", "c4"]
    assert api.params("limit") == ["2", "2", "2"]


@modes
async def test_repeated_cursor_stops(mode: str) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        headers = {"Link": "</wiki/api/v2/pages?cursor=loop>; rel=next"}
        return httpx.Response(200, json={"results": items(0, 1)}, headers=headers)

    api = FakeApi(CURSOR, pages)
    assert await drain(mode, api, cursor="loop") == items(0, 1)
    assert api.params("cursor") == ["loop"]


# Plain JSON array.

LIST = {"style": "list", "items": "", "items_attr": ""}


@modes
async def test_list_is_one_call(mode: str) -> None:
    api = FakeApi(LIST, lambda request: httpx.Response(200, json=items(0, 3)))
    assert await drain(mode, api, max_items=2) == items(0, 2)
    assert await drain(mode, api) == items(0, 3)
    assert len(api.requests) == 2


@modes
async def test_list_prefers_parsed_models(mode: str) -> None:
    api = FakeApi(LIST, lambda request: httpx.Response(200, json=items(0, 2)), lambda body: [Item(0), Item(1)])
    assert await drain(mode, api) == [Item(0), Item(1)]


# Choosing the operation, errors.


@modes
async def test_plain_function_is_switched_to_detailed(mode: str) -> None:
    api = FakeApi(TOKEN, token_pages(3))
    assert await drain(mode, api, function="sync" if mode == "sync" else "asyncio") == items(0, 3)
    assert len(api.requests) == 2


@pytest.mark.parametrize("pagination", [None, "missing"])
def test_not_paginated_is_a_type_error_naming_the_operation(pagination: str | None) -> None:
    api = FakeApi(None, offset_pages(1))
    if pagination == "missing":
        del api.module.PAGINATION
    with pytest.raises(TypeError, match=rf"{api.module.__name__}\.sync_detailed.*not paginated"):
        paginate(api.module.sync_detailed, client=api.client)
    with pytest.raises(TypeError, match=r"asyncio_detailed.*not paginated"):
        apaginate(api.module.asyncio_detailed, client=api.aclient)
    assert api.requests == []


def test_unknown_style_or_missing_param_is_a_type_error() -> None:
    for pagination in ({"style": "pages"}, {"style": "offset", "items": "values"}):
        api = FakeApi(pagination, offset_pages(1))
        with pytest.raises(TypeError, match="PAGINATION"):
            paginate(api.module.sync_detailed, client=api.client)


def test_sync_and_async_cannot_be_mixed_up() -> None:
    api = FakeApi(OFFSET, offset_pages(1))
    with pytest.raises(TypeError, match="apaginate"):
        paginate(api.module.asyncio_detailed, client=api.aclient)
    with pytest.raises(TypeError, match="use paginate"):
        apaginate(api.module.sync_detailed, client=api.client)


def test_bad_bounds_are_value_errors() -> None:
    api = FakeApi(OFFSET, offset_pages(1))
    with pytest.raises(ValueError, match="max_items"):
        paginate(api.module.sync_detailed, client=api.client, max_items=-1)
    with pytest.raises(ValueError, match="page_size"):
        paginate(api.module.sync_detailed, client=api.client, page_size=0)


@modes
async def test_error_page_raises_typed_error(mode: str) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if "startAt" in request.url.params:
            return httpx.Response(404, json={"errorMessages": ["Project went away"]})
        return httpx.Response(200, json={"startAt": 0, "total": 4, "values": items(0, 2)})

    api = FakeApi(OFFSET, pages)
    seen: list[Any] = []
    with pytest.raises(NotFoundError) as info:
        if mode == "sync":
            seen.extend(paginate(api.module.sync_detailed, client=api.client))
        else:
            async for item in apaginate(api.module.asyncio_detailed, client=api.aclient):
                seen.append(item)
    assert seen == items(0, 2)
    assert isinstance(info.value, AtlassianError)
    assert info.value.error_messages == ["Project went away"]


@modes
async def test_non_json_body_yields_nothing(mode: str) -> None:
    api = FakeApi(CURSOR, lambda request: httpx.Response(200, content=b"<html>proxy</html>"))
    assert await drain(mode, api) == []
    assert len(api.requests) == 1


def test_raw_json_items_are_plain_data() -> None:
    api = FakeApi(OFFSET, offset_pages(2))
    (first, second) = paginate(api.module.sync_detailed, client=api.client)
    assert json.dumps([first, second]) == '[{"id": 0}, {"id": 1}]'
