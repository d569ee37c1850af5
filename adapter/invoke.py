"""Turn tool arguments into a generated operation call, and run it.

Every Atlassian request goes through a generated module's `asyncio_raw`; no REST path lives here.
"""

from __future__ import annotations

import importlib
import inspect
import io
import json
import types
import typing
from typing import TYPE_CHECKING, Any

from .catalogue import Operation
from .manifest_model import Binding, Source1

if TYPE_CHECKING:
    from jira_sdk import Client

JSON = Any


class ArgumentError(ValueError):
    """An argument the model can fix; the message names it."""


def markdown_to_adf(text: str) -> dict[str, Any]:
    """Markdown (what the model writes) -> ADF for Jira Cloud REST v3."""
    from .content.adf import markdown_to_adf as convert

    return convert(text)


def markdown_to_wiki(text: str) -> str:
    """Markdown -> wiki markup for Jira Data Center REST v2."""
    from .content.wiki import markdown_to_wiki as convert

    return convert(text)


def markdown_to_storage(text: str) -> str:
    """Markdown -> Confluence storage XHTML."""
    from .content.storage import markdown_to_storage as convert

    return convert(text)


def json_argument(name: str, value: Any) -> Any:
    """Objects and arrays may arrive as JSON strings from older clients."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ArgumentError(f"{name}: not valid JSON ({exc.msg} at position {exc.pos})") from exc


def convert(name: str, value: Any, how: str | None) -> Any:
    if how is None:
        return value
    if how == "split":
        return [part.strip() for part in str(value).split(",") if part.strip()] if isinstance(value, str) else value
    if how == "names":
        return [{"name": part} for part in convert(name, value, "split")]
    if how == "ids":
        return [{"id": part} for part in convert(name, value, "split")]
    if how == "adf":
        return markdown_to_adf(value) if isinstance(value, str) else value
    if how == "wiki":
        return markdown_to_wiki(value) if isinstance(value, str) else value
    if how == "json":
        return json_argument(name, value)
    raise ValueError(f"unknown conversion {how!r}")


def resolve_source(source: Any, args: dict[str, Any]) -> tuple[bool, Any]:
    """(present, value) of a manifest Source for these arguments; absent optional arguments are skipped."""
    root = getattr(source, "root", source)
    if isinstance(root, str):
        return (root in args, args.get(root))
    assert isinstance(root, Source1)
    if root.param is None:
        return True, root.value
    if root.param not in args:
        return False, None
    return True, convert(root.param, args[root.param], root.convert.value if root.convert else None)


def set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def deep_merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = value


def build_request(binding: Binding, op: Operation, args: dict[str, Any]) -> tuple[dict[str, Any], JSON | None]:
    """(keyword arguments for the operation, request body as JSON or None) from the manifest mapping."""
    kwargs: dict[str, Any] = {}
    for name, source in (binding.arguments or {}).items():
        present, value = resolve_source(source, args)
        if not present or value is None:
            continue
        spec = op.parameters[name]
        wanted = spec["schema"].get("type")
        if wanted == "array" and isinstance(value, str):
            value = convert(name, value, "split")
        elif wanted == "string" and isinstance(value, bool):
            value = "true" if value else "false"
        elif wanted == "string" and isinstance(value, int | float):
            value = str(value)
        kwargs[spec["python_name"]] = value
    if not binding.body and not binding.body_merge:
        return kwargs, None
    body: dict[str, Any] = {}
    for path, source in (binding.body or {}).items():
        present, value = resolve_source(source, args)
        if present and value is not None:
            set_path(body, path, value)
    for path, param in (binding.body_merge or {}).items():
        extra = args.get(param)  # an object: the input schema says so, JSON strings were parsed by the server
        if isinstance(extra, dict):
            target: dict[str, Any] = body
            for part in path.split("."):
                target = target.setdefault(part, {})
            deep_merge(target, extra)
    return kwargs, body


def _body_model(module: types.ModuleType, body: JSON) -> Any:
    """The class the operation wants as `body` (an attrs model with from_dict), `(item class, list)` for a list
    of models, or None for plain JSON. A union (`Label | list[Label]`) is chosen by the shape of `body`."""
    annotation = inspect.signature(module.asyncio_detailed).parameters["body"].annotation
    candidates = typing.get_args(annotation) or (annotation,)
    for candidate in candidates:
        if hasattr(candidate, "from_dict") and not isinstance(body, list):
            return candidate
        origin = typing.get_origin(candidate)
        item = typing.get_args(candidate)[0] if origin is list and typing.get_args(candidate) else None
        if isinstance(body, list) and hasattr(item, "from_dict"):
            return item, list
    return None


class UnexpectedAnswer(Exception):
    """An answer no tool can use: a redirect (never followed) or a body that is not JSON. Reads as
    "<Product> answered <this message>"."""


def multipart_body(op: Operation, **fields: Any) -> Any:
    """The multipart body model of `op`, by the model's attribute names: a (filename, bytes, mime type) tuple
    becomes a file part; text goes in a nameless part where the model types the field as a file."""
    import attrs

    module = op.module()
    model = _body_model(module, {})
    file_class = importlib.import_module(module.__name__.split(".api.")[0] + ".types").File
    kinds = {f.name: str(f.type) for f in attrs.fields(model)}

    def part(name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [part(name, item) for item in value]
        if isinstance(value, tuple):
            filename, data, mime_type = value
            return file_class(payload=io.BytesIO(data), file_name=filename, mime_type=mime_type)
        if "File" in kinds[name]:
            return file_class(payload=io.BytesIO(str(value).encode()))
        return value

    return model(**{name: part(name, value) for name, value in fields.items() if value is not None})


async def call(op: Operation, client: Client, kwargs: dict[str, Any], body: JSON | None = None) -> JSON:
    """Run one generated operation; its decoded JSON answer (None when the answer has no body).

    The `_raw` variant leaves the answer unparsed: views read the JSON as the site sent it, and an answer
    the models would reject still reaches them. Non-2xx answers raise the SDK's typed AtlassianError.
    """
    module = op.module()
    if body is not None and (hasattr(body, "to_multipart") or hasattr(body, "to_dict")):
        kwargs["body"] = body  # already a generated model (multipart_body, an upload): files keep their names
    elif body is not None:
        model = _body_model(module, body)
        if isinstance(model, tuple):
            kwargs["body"] = [model[0].from_dict(item) for item in body]
        elif model is not None:
            kwargs["body"] = model.from_dict(body)
        else:
            kwargs["body"] = body
    response = await module.asyncio_raw(client=client, **kwargs)
    if 300 <= response.status_code < 400:
        where = response.headers.get("location", "nowhere")
        raise UnexpectedAnswer(
            f"{response.status_code}, a redirect to {where}; not followed (credentials stay with the configured site)"
        )
    try:
        return json.loads(response.content) if response.content.strip() else None
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        raise UnexpectedAnswer(
            f"with a body that is not valid JSON (HTTP {response.status_code}, {kind}, {len(response.content)} bytes)"
        ) from None
