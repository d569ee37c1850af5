"""A subset of JQL and CQL for the sandbox: a pyparsing grammar, then evaluators over records shaped as the REST APIs
return them, so stored issues and pages can be searched as they are. Anything outside the subset raises QueryError with
Atlassian's wording, because a silently empty result would teach callers that a wrong query works.
"""

from __future__ import annotations

import html
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

import pyparsing as pp

Record = Mapping[str, Any]
Pred = Callable[[Record, "QueryContext"], bool]


class QueryError(ValueError):
    """The query is malformed or outside the subset; the sandbox answers 400 with this message."""


@dataclass(frozen=True)
class QueryContext:
    """What currentUser(), now() and relative dates resolve against; `users` lets a name or an email find an id."""

    current_user: str
    now: datetime
    users: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """One parsed query: which records match, and in which order to list them."""

    text: str
    where: Pred | None = field(repr=False, compare=False)
    order: tuple[tuple[_Field, bool], ...] = field(repr=False, compare=False)

    def matches(self, record: Record, ctx: QueryContext) -> bool:
        return self.where is None or self.where(record, ctx)

    def sort(self, records: list[Record], ctx: QueryContext) -> list[Record]:
        """Stable: one pass per key, last key first; empty values sort as the largest, as in Jira."""
        out = list(records)
        for fld, desc in reversed(self.order):
            out.sort(key=lambda r: _null_last(_sort_value(fld, r, ctx)), reverse=desc)
        return out


def parse_jql(text: str) -> Query:
    return _parse(_JQL, text)


def parse_cql(text: str) -> Query:
    return _parse(_CQL, text)


# --- grammar -----------------------------------------------------------------------------------------------------

_WORDCHAR = r"[^\s\"'=!<>~(),{}\[\]|&*%+^$#@?;\\]"
_RESERVED_CHARS = "{}[]*%+^$#@?;"


@dataclass(frozen=True)
class _Func:
    name: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name}({', '.join(self.args)})"


class _Empty:
    def __str__(self) -> str:
        return "EMPTY"


_EMPTY = _Empty()
Value = str | _Func | _Empty


@dataclass(frozen=True)
class _Clause:
    field: str
    op: str
    values: tuple[Value, ...]
    is_list: bool


@dataclass(frozen=True)
class _Bool:
    op: Literal["and", "or", "not"]
    parts: tuple[_Clause | _Bool, ...]


class _Fail(pp.Token):
    """Fails fatally: once the query has committed to a construct, the error is where that construct broke."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def parseImpl(self, instring: str, loc: int, do_actions: bool = True) -> tuple[int, Any]:
        raise pp.ParseFatalException(instring, loc, self.kind)


def _expect(expr: pp.ParserElement | str, kind: str) -> pp.ParserElement:
    return expr | _Fail(kind)


def _kw(word: str) -> pp.ParserElement:
    return pp.Regex(rf"(?i){word}(?!{_WORDCHAR})").set_parse_action(pp.replace_with(word))


def _bool(op: Literal["and", "or"]) -> Callable[[pp.ParseResults], Any]:
    return lambda t: t[0] if len(t) == 1 else _Bool(op, tuple(t))


def _clause(t: pp.ParseResults) -> _Clause:
    operand = t[2]
    if isinstance(operand, pp.ParseResults):
        return _Clause(t[0], t[1], tuple(operand), True)
    return _Clause(t[0], t[1], (operand,), False)


def _grammar(jql: bool) -> pp.ParserElement:
    """The same shape for both languages; JQL adds IS [NOT] EMPTY and the symbolic && || !.

    pyparsing's default whitespace is process-wide and jira2markdown sets it to "" on import: our elements are
    built with the standard whitespace, whatever another library set, and the setting is put back after."""
    previous = pp.ParserElement.DEFAULT_WHITE_CHARS
    pp.ParserElement.set_default_whitespace_chars(" \n\t\r")
    try:
        return _build_grammar(jql)
    finally:
        pp.ParserElement.set_default_whitespace_chars(previous)


def _build_grammar(jql: bool) -> pp.ParserElement:
    k = {w: _kw(w) for w in ("and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc")}
    quoted = pp.QuotedString('"', esc_char="\\") | pp.QuotedString("'", esc_char="\\")
    word = pp.Regex(rf"(?!(?i:and|or|not|in|is|empty|null|order|by)(?!{_WORDCHAR})){_WORDCHAR}+")  # not reserved
    name = quoted | word
    args = pp.Optional(name + pp.ZeroOrMore(pp.Suppress(",") + _expect(name, "value")))
    func = (word + pp.Suppress("(") + args + _expect(pp.Suppress(")"), "close")).set_parse_action(
        lambda t: _Func(t[0], tuple(t[1:]))
    )
    empty = (k["empty"] | k["null"]).set_parse_action(lambda: _EMPTY)
    value = func | empty | name
    items = _expect(value, "value") + pp.ZeroOrMore(pp.Suppress(",") + _expect(value, "value"))
    values = pp.Group(pp.Suppress("(") + items + _expect(pp.Suppress(")"), "close"))
    operand = _expect(values | value, "value")
    tails = [
        pp.Regex(r"!=|!~|<=|>=|=|~|<|>") + operand,
        k["in"] + operand,
        (k["not"] + k["in"]).set_parse_action(lambda: "not in") + operand,
    ]
    if jql:
        tails.append(
            (k["is"] + pp.Optional(k["not"])).set_parse_action(lambda t: " ".join(t)) + _expect(empty, "empty")
        )
    clause = (name + _expect(pp.MatchFirst(tails), "operator")).set_parse_action(_clause)

    expr = pp.Forward()
    unary = pp.Forward()
    neg = k["not"] | pp.Regex(r"!(?![=~])") if jql else k["not"]
    conj = k["and"] | "&&" | "&" if jql else k["and"]
    disj = k["or"] | "||" | "|" if jql else k["or"]
    group = pp.Suppress("(") + _expect(expr, "field") + _expect(pp.Suppress(")"), "close")
    negated = (pp.Suppress(neg) + _expect(unary, "field")).set_parse_action(lambda t: _Bool("not", (t[0],)))
    unary <<= negated | group | clause
    conjunction = (unary + pp.ZeroOrMore(pp.Suppress(conj) + _expect(unary, "field"))).set_parse_action(_bool("and"))
    expr <<= (conjunction + pp.ZeroOrMore(pp.Suppress(disj) + _expect(conjunction, "field"))).set_parse_action(
        _bool("or")
    )

    key = pp.Group(name + pp.Optional(k["asc"] | k["desc"]))
    by = pp.Suppress(k["order"]) + _expect(pp.Suppress(k["by"]), "by") + _expect(key, "field")
    order = pp.Group(by + pp.ZeroOrMore(pp.Suppress(",") + _expect(key, "field")))
    end = pp.StringEnd()
    ordered = order + _expect(end, "sort_end")
    return ordered | expr + (ordered | _expect(end, "andor")) | _expect(end, "field")


_TOKEN = (
    pp.QuotedString('"', esc_char="\\")
    | pp.QuotedString("'", esc_char="\\")
    | pp.Regex(r"!=|!~|<=|>=|&&|\|\|")
    | pp.Regex(f"{_WORDCHAR}+")
    | pp.Regex(r"\S")
)
_SYNTAX = {
    "field": (
        "Expecting a field name but got '{t}'. You must surround '{t}' in quotation marks to use it as a field name.",
        "Expecting a field name at the end of the query.",
    ),
    "operator": (
        "Expecting operator but got '{t}'. The valid operators are {ops}.",
        "Expecting operator before the end of the query. The valid operators are {ops}.",
    ),
    "value": (
        "Expecting either a value, list or function but got '{t}'. You must surround '{t}' in quotation marks to use "
        "it as a value.",
        "Expecting either a value, list or function before the end of the query.",
    ),
    "close": ("Expecting ')' but got '{t}'.", "Expecting ')' before the end of the query."),
    "empty": ("Expecting 'EMPTY' but got '{t}'.", "Expecting 'EMPTY' before the end of the query."),
    "by": ("Expecting 'BY' but got '{t}'.", "Expecting 'BY' before the end of the query."),
    "andor": ("Expecting either 'OR' or 'AND' but got '{t}'.", ""),
    "sort_end": ("Expecting ',' but got '{t}'.", ""),
}


def _syntax_message(lang: _Lang, text: str, loc: int, kind: str) -> tuple[str, int | None]:
    """Jira's parse errors name the offending token and where it is; reserved characters and open quotes first."""
    got, at_end = _SYNTAX.get(kind, _SYNTAX["andor"])
    if loc >= len(text):
        return at_end.format(ops=lang.operators), None
    char = text[loc]
    try:
        token = _TOKEN.parse_string(text[loc:])[0]
    except pp.ParseException:  # a character no token starts with (a control character, say)
        token = char
    if char in "\"'" and token == char:
        return f"The quoted string '{text[loc + 1 :]}' has not been completed.", loc
    if char in _RESERVED_CHARS:
        reserved = f"The character '{char}' is a reserved {lang.name} character."
        return f"{reserved} You must enclose it in a string or use the escape '\\u{ord(char):04x}' instead.", loc
    return got.format(t=token, ops=lang.operators), loc


# --- field access ------------------------------------------------------------------------------------------------


_MAPS = (dict, Mapping)  # dict first: records are JSON, and an ABC check on every access costs a third of the time


def _path(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, _MAPS) else None
    return value


def _fields(name: str, *sub: str) -> Callable[[Record], Any]:
    return lambda r: _path(r, "fields", name, *sub)


def _items(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return [v for v in value if v is not None and v != ""] if isinstance(value, list) else [value]


def _names(item: Any, ctx: QueryContext) -> set[str]:
    if isinstance(item, _MAPS):
        return {str(item[k]).lower() for k in ("name", "key", "id", "value") if item.get(k) not in (None, "")}
    return {str(item).lower()}


_USER_KEYS = ("accountId", "name", "key", "username", "userKey", "displayName", "publicName", "emailAddress")


def _user_names(item: Any, ctx: QueryContext) -> set[str]:
    """Every way to name a user: ids and names on the record, and what the directory in `ctx.users` adds."""
    own = item if isinstance(item, _MAPS) else {"name": item}
    found = [str(own[k]) for k in _USER_KEYS if own.get(k)]
    for ident in list(found):
        found.extend(str(v) for v in (ctx.users.get(ident) or {}).values() if v)
    return {n.lower() for n in found}


_CATEGORIES = {"new": ("to do", "2"), "indeterminate": ("in progress", "4"), "done": ("done", "3")}


def _category_names(item: Any, ctx: QueryContext) -> set[str]:
    """Records often carry only the category key; JQL users write its name ("In Progress")."""
    names = _names(item, ctx)
    return names.union(*(_CATEGORIES.get(n, ()) for n in list(names)))


_MARKUP = re.compile(r"<[^>]*>|\{[^}]*\}")
_WORDS = re.compile(r"\w+")


def _flatten(doc: Any) -> str:
    """Plain text of ADF (its text nodes), or of wiki/XHTML with tags and {macros} crudely dropped, not rendered."""
    if isinstance(doc, str):
        return html.unescape(_MARKUP.sub(" ", doc))
    if not isinstance(doc, _MAPS):
        return ""
    own = doc.get("text") or _path(doc, "attrs", "text")
    parts = [own] if isinstance(own, str) else []
    parts.extend(_flatten(child) for child in doc.get("content") or ())
    return " ".join(p for p in parts if p)


def _comments(r: Record) -> str:
    return " ".join(_flatten(c.get("body")) for c in _items(_path(r, "fields", "comment", "comments")))


def _issue_text(r: Record) -> str:
    f = r.get("fields") or {}
    parts = [f.get("summary") or "", _flatten(f.get("description")), _flatten(f.get("environment")), _comments(r)]
    return " ".join(parts)


def _page_text(r: Record) -> str:
    body = _path(r, "body", "storage", "value") or _path(r, "body", "view", "value")
    return f"{r.get('title') or ''} {_flatten(body)}"


def _sprints(r: Record) -> list[Any]:
    return _items(_path(r, "fields", "sprint")) + _items(_path(r, "fields", "customfield_10020"))


def _labels(r: Record) -> Any:
    labels = _path(r, "metadata", "labels")
    return labels.get("results") if isinstance(labels, _MAPS) else labels


_PRIORITIES = {"highest": 5, "high": 4, "medium": 3, "low": 2, "lowest": 1}


def _priority_rank(r: Record, ctx: QueryContext) -> Any:
    name = str(_path(r, "fields", "priority", "name") or "")
    return None if not name else (_PRIORITIES.get(name.lower(), 0), name.lower())


_Kind = Literal["value", "user", "sprint", "key", "text", "date"]
_EQ = frozenset({"=", "!=", "in", "not in", "is", "is not"})
_CMP = frozenset({"<", "<=", ">", ">="})
_OPS: dict[str, frozenset[str]] = {
    "value": _EQ,
    "user": _EQ,
    "sprint": _EQ,
    "key": _EQ - {"is", "is not"} | _CMP,
    "text": frozenset({"~", "!~", "is", "is not"}),
    "date": frozenset({"=", "!=", "is", "is not"}) | _CMP,
}


@dataclass(frozen=True)
class _Field:
    """How one query field reads a record: its kind sets the operators, functions and how it compares and sorts."""

    name: str
    kind: _Kind
    get: Callable[[Record], Any]
    ops: frozenset[str] = frozenset()
    text: Callable[[Record], str] | None = None
    names: Callable[[Any, QueryContext], set[str]] = _names
    sort: Callable[[Record, QueryContext], Any] | None = None
    sortable: bool = True
    empty_alias: str = ""

    @property
    def operators(self) -> frozenset[str]:
        return self.ops or (_OPS[self.kind] | ({"~", "!~"} if self.text else set()))


def _table(*entries: tuple[str, _Field]) -> dict[str, _Field]:
    return {alias: fld for aliases, fld in entries for alias in aliases.split(",")}


_JQL_FIELDS = _table(
    ("project", _Field("project", "value", _fields("project"))),
    ("key,issuekey,id", _Field("key", "key", lambda r: [r.get("key"), r.get("id")])),
    ("issuetype,type", _Field("issuetype", "value", _fields("issuetype"))),
    ("status", _Field("status", "value", _fields("status"))),
    ("statuscategory", _Field("statusCategory", "value", _fields("status", "statusCategory"), names=_category_names)),
    ("priority", _Field("priority", "value", _fields("priority"), sort=_priority_rank)),
    ("resolution", _Field("resolution", "value", _fields("resolution"), empty_alias="unresolved")),
    ("assignee", _Field("assignee", "user", _fields("assignee"), names=_user_names)),
    ("reporter", _Field("reporter", "user", _fields("reporter"), names=_user_names)),
    ("creator", _Field("creator", "user", _fields("creator"), names=_user_names)),
    ("labels", _Field("labels", "value", _fields("labels"))),
    ("component", _Field("component", "value", _fields("components"))),
    ("fixversion", _Field("fixVersion", "value", _fields("fixVersions"))),
    ("sprint", _Field("sprint", "sprint", _sprints)),
    ("parent,epic link,epic", _Field("parent", "value", _fields("parent"))),
    ("created,createddate", _Field("created", "date", _fields("created"))),
    ("updated,updateddate", _Field("updated", "date", _fields("updated"))),
    ("resolved,resolutiondate", _Field("resolved", "date", _fields("resolutiondate"))),
    ("due,duedate", _Field("due", "date", _fields("duedate"))),
    ("summary", _Field("summary", "text", lambda r: _path(r, "fields", "summary") or "")),
    (
        "description",
        _Field("description", "text", lambda r: _flatten(_path(r, "fields", "description")), sortable=False),
    ),
    ("comment", _Field("comment", "text", _comments, sortable=False)),
    ("text", _Field("text", "text", _issue_text, ops=frozenset({"~"}), sortable=False)),
)
_CQL_FIELDS = _table(
    ("space,space.key", _Field("space", "value", lambda r: r.get("space"), sortable=False)),
    ("type", _Field("type", "value", lambda r: r.get("type"), sortable=False)),
    ("title", _Field("title", "value", lambda r: r.get("title"), text=lambda r: r.get("title") or "")),
    ("text", _Field("text", "text", _page_text, ops=frozenset({"~", "!~"}), sortable=False)),
    ("sitesearch", _Field("siteSearch", "text", _page_text, ops=frozenset({"~", "!~"}), sortable=False)),
    ("label,labels", _Field("label", "value", _labels, sortable=False)),
    ("ancestor", _Field("ancestor", "value", lambda r: r.get("ancestors"), sortable=False)),
    ("parent", _Field("parent", "value", lambda r: (r.get("ancestors") or [])[-1:], sortable=False)),
    ("id,content", _Field("id", "value", lambda r: r.get("id"), sortable=False)),
    (
        "creator",
        _Field("creator", "user", lambda r: _path(r, "history", "createdBy"), names=_user_names, sortable=False),
    ),
    ("created", _Field("created", "date", lambda r: _path(r, "history", "createdDate"))),
    ("lastmodified", _Field("lastmodified", "date", lambda r: _path(r, "version", "when"))),
)


# --- dates, keys, text terms --------------------------------------------------------------------------------------

_PERIOD = re.compile(r"([+-]?)((?:\d+[wdhm]\s*)+)")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")


def _period(text: str, default_unit: str = "") -> timedelta | None:
    """Jira's period format: "-7d", "4w 2d", "+3h"; startOfDay("-1") defaults to days."""
    text = text.strip() + (default_unit if text.strip().lstrip("+-").isdigit() else "")
    match = _PERIOD.fullmatch(text)
    if not match:
        return None
    delta = sum((timedelta(**{_UNITS[u]: int(n)}) for n, u in re.findall(r"(\d+)([wdhm])", match[2])), timedelta())
    return -delta if match[1] == "-" else delta


def _absolute(text: str) -> datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            pass
    return None


@lru_cache(maxsize=65536)
def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return _absolute(text)


def _when(value: Any, ctx: QueryContext) -> datetime | None:
    """A record's date; date-only values (duedate) are midnight in the caller's zone, as Jira reads them."""
    stamp = _timestamp(value) if isinstance(value, str) and value else None
    return stamp.replace(tzinfo=ctx.now.tzinfo) if stamp and stamp.tzinfo is None else stamp


def _midnight(ctx: QueryContext) -> datetime:
    return ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)


_KEY = re.compile(r"([A-Za-z][A-Za-z0-9_]*)-(\d+)")


def _key_parts(key: Any) -> tuple[str, int] | None:
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    return (match[1].lower(), int(match[2])) if match else None


def _sort_value(fld: _Field, r: Record, ctx: QueryContext) -> Any:
    if fld.sort:
        return fld.sort(r, ctx)
    if fld.kind == "date":
        return _when(fld.get(r), ctx)
    if fld.kind == "key":
        return _key_parts(r.get("key"))
    if fld.kind == "text":
        return fld.get(r).lower() or None
    first = next(iter(_items(fld.get(r))), None)
    if isinstance(first, _MAPS) and fld.kind == "user" and not first.get("displayName"):
        first = next((ctx.users[str(v)] for v in first.values() if str(v) in ctx.users), first)
    if isinstance(first, _MAPS):
        first = next((first[k] for k in ("displayName", "name", "key", "id", "accountId") if first.get(k)), None)
    return None if first is None else str(first).lower()


def _null_last(value: Any) -> tuple[bool, Any]:
    return (True, 0) if value is None else (False, value)


# --- compiling a parsed query into predicates ---------------------------------------------------------------------


class _Invalid(Exception):
    """A well-formed query the subset cannot answer; _parse words it for the language."""


@dataclass(frozen=True, eq=False)
class _Lang:
    name: str
    grammar: pp.ParserElement
    fields: Mapping[str, _Field]
    functions: Mapping[str, tuple[str, str, int]]  # lower name -> (name, what it yields, max arguments)
    default_order: tuple[tuple[str, bool], ...]
    operators: str

    def error(self, text: str, detail: str, syntax: bool = False, loc: int | None = None) -> QueryError:
        """Jira prefixes only parse errors; Confluence wraps every complaint in "Could not parse cql"."""
        where = "" if loc is None else f"line {pp.lineno(loc, text)}, character {pp.col(loc, text)}"
        if self.name == "CQL":
            return QueryError(f"Could not parse cql : {text} ({detail.rstrip('.')}{' at ' * bool(where)}{where})")
        if not syntax:
            return QueryError(detail)
        return QueryError(f"Error in the JQL Query: {detail}" + (f" ({where})" if where else ""))


_FUNCTIONS = {"currentuser": ("currentUser", "user", 0), "startofday": ("startOfDay", "date", 1)}
_JQL = _Lang(
    "JQL",
    _grammar(jql=True),
    _JQL_FIELDS,
    _FUNCTIONS
    | {
        "now": ("now", "date", 0),
        "endofday": ("endOfDay", "date", 1),
        "opensprints": ("openSprints", "sprints", 0),
        "closedsprints": ("closedSprints", "sprints", 0),
    },
    (("created", True), ("key", True)),
    "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'",
)
_CQL = _Lang(
    "CQL",
    _grammar(jql=False),
    _CQL_FIELDS,
    _FUNCTIONS | {"now": ("now", "date", 1), "endofday": ("endOfDay", "date", 1)},
    (("lastmodified", True),),
    "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN' and 'NOT IN'",
)


@lru_cache(maxsize=512)
def _parse(lang: _Lang, text: str) -> Query:
    """Syntax first, then meaning, as Jira reports them; cached because paging repeats the same query."""
    try:
        parsed = lang.grammar.parse_string(text, parse_all=True)
    except pp.ParseBaseException as exc:
        detail, loc = _syntax_message(lang, text, exc.loc, exc.msg)
        raise lang.error(text, detail, syntax=True, loc=loc) from None
    try:
        wheres = [_compile(lang, node) for node in parsed if isinstance(node, _Clause | _Bool)]
        given = [key for node in parsed if isinstance(node, pp.ParseResults) for key in node]
        keys = [(k[0], len(k) > 1 and k[1] == "desc") for k in given]
        order = tuple((_sort_field(lang, name), desc) for name, desc in keys or lang.default_order)
    except _Invalid as exc:
        raise lang.error(text, str(exc)) from None
    return Query(text, wheres[0] if wheres else None, order)


def _sort_field(lang: _Lang, name: str) -> _Field:
    fld = lang.fields.get(name.lower())
    if fld is None:
        raise _Invalid(f"Not able to sort using field '{name}'.")
    if not fld.sortable:
        raise _Invalid(f"Field '{name}' does not support sorting.")
    return fld


def _compile(lang: _Lang, node: _Clause | _Bool) -> Pred:
    if isinstance(node, _Clause):
        return _compile_clause(lang, node)
    parts = [_compile(lang, part) for part in node.parts]
    if node.op == "not":
        return lambda r, c: not parts[0](r, c)
    if node.op == "and":
        return lambda r, c: all(p(r, c) for p in parts)
    return lambda r, c: any(p(r, c) for p in parts)


def _compile_clause(lang: _Lang, clause: _Clause) -> Pred:
    """Validates field, operator and operand shape, then picks the evaluator for the field's kind."""
    fld = lang.fields.get(clause.field.lower())
    if fld is None:
        raise _Invalid(f"Field '{clause.field}' does not exist or you do not have permission to view it.")
    op, values = clause.op, clause.values
    if op not in fld.operators:
        raise _Invalid(f"The operator '{op}' is not supported by the '{fld.name}' field.")
    funcs = {v: _function(lang, fld, v) for v in values if isinstance(v, _Func)}
    many = clause.is_list or any(kind == "sprints" for kind in funcs.values())
    shown = f"({', '.join(map(str, values))})" if clause.is_list else str(values[0])
    if many and op not in ("in", "not in"):
        raise _Invalid(f"The operator '{op}' does not support the multi-value operand '{shown}'.")
    if op in ("in", "not in") and not many:
        raise _Invalid(f"The operator '{op}' does not support the single-value operand '{shown}'.")
    if fld.empty_alias:
        values = tuple(_EMPTY if isinstance(v, str) and v.lower() == fld.empty_alias else v for v in values)
    if _EMPTY in values and op not in _EQ:
        raise _Invalid(f"The operator '{op}' does not support searching for EMPTY values.")
    negate = op in ("!=", "not in", "is not", "!~")
    if all(v is _EMPTY for v in values):
        return _emptiness(fld, negate)
    if op in ("~", "!~"):
        return _text_match(fld, values[0], negate)
    if fld.kind == "date":
        return _date_compare(lang, fld, op, values[0])
    if op in _CMP:
        return _key_compare(fld, op, values[0])
    return _equality(lang, fld, values, negate)


def _function(lang: _Lang, fld: _Field, func: _Func) -> str:
    known = lang.functions.get(func.name.lower())
    if known is None:
        raise _Invalid(f"Unable to find {lang.name} function '{func}'.")
    name, yields, max_args = known
    if len(func.args) > max_args:
        raise _Invalid(f"Function '{name}' expected '{max_args}' arguments but got '{len(func.args)}'.")
    if {"user": "user", "date": "date", "sprints": "sprint"}[yields] != fld.kind:
        raise _Invalid(f"A value provided by the function '{name}' is invalid for the field '{fld.name}'.")
    return yields


def _emptiness(fld: _Field, negate: bool) -> Pred:
    if fld.kind in ("text", "date"):
        return lambda r, c: bool(fld.get(r)) == negate
    return lambda r, c: bool(_items(fld.get(r))) == negate


def _equality(lang: _Lang, fld: _Field, values: tuple[Value, ...], negate: bool) -> Pred:
    """`=`/`in` hold if any item is named by any value; `!=`/`not in` also need a value, as Jira skips empties."""
    if fld.kind == "key":
        for v in values:
            if isinstance(v, str) and not (_key_parts(v) or v.isdigit()):
                raise _Invalid(f"The issue key '{v}' for field '{fld.name}' is invalid.")
    literals = frozenset(v.lower() for v in values if isinstance(v, str))
    matchers = [_matcher(lang, v) for v in values if isinstance(v, _Func)]
    want_empty = _EMPTY in values

    def pred(r: Record, ctx: QueryContext) -> bool:
        items = _items(fld.get(r))
        if not items:
            return want_empty and not negate
        hit = any(
            not literals.isdisjoint(names := fld.names(item, ctx)) or any(m(item, names, ctx) for m in matchers)
            for item in items
        )
        return hit != negate

    return pred


def _matcher(lang: _Lang, func: _Func) -> Callable[[Any, set[str], QueryContext], bool]:
    name = lang.functions[func.name.lower()][0]
    if name == "currentUser":
        return lambda item, names, ctx: ctx.current_user.lower() in names
    states = {"active", "future"} if name == "openSprints" else {"closed"}
    return lambda item, names, ctx: isinstance(item, _MAPS) and str(item.get("state", "")).lower() in states


def _text_match(fld: _Field, value: Value, negate: bool) -> Pred:
    """Case-insensitive: every word of the value occurs in the text (substrings count); "\"a b\"" is a phrase."""
    assert isinstance(value, str)  # functions and EMPTY were refused by _compile_clause
    terms = _WORDS.findall(value.lower())
    if not terms:
        raise _Invalid(f"The field '{fld.name}' does not support searching for an empty string.")
    phrase = " ".join(terms) if len(value) > 1 and value.strip()[0] == value.strip()[-1] == '"' else ""
    text = fld.text or fld.get

    def pred(r: Record, ctx: QueryContext) -> bool:
        body = text(r).lower()
        if not body:
            return False
        hit = phrase in " ".join(_WORDS.findall(body)) if phrase else all(t in body for t in terms)
        return hit != negate

    return pred


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _date_compare(lang: _Lang, fld: _Field, op: str, value: Value) -> Pred:
    bound = _date_operand(lang, fld, value)
    compare = _COMPARE[op]

    def pred(r: Record, ctx: QueryContext) -> bool:
        when = _when(fld.get(r), ctx)
        return when is not None and compare(when, bound(ctx))

    return pred


def _date_operand(lang: _Lang, fld: _Field, value: Value) -> Callable[[QueryContext], datetime]:
    if isinstance(value, _Func):
        name = lang.functions[value.name.lower()][0]
        shift = _period(value.args[0], "d") if value.args else timedelta()
        if shift is None:
            raise _Invalid(f"Function '{name}' got the invalid increment '{value.args[0]}'.")
        return _offset(_STARTS[name], shift)
    assert isinstance(value, str)
    shift = _period(value)
    if shift is not None:
        return _offset(_STARTS["now"], shift)
    absolute = _absolute(value)
    if absolute is None:
        raise _Invalid(
            f"Date value '{value}' for field '{fld.name}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
            "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
        )
    return lambda ctx: absolute.replace(tzinfo=ctx.now.tzinfo)


def _offset(start: Callable[[QueryContext], datetime], shift: timedelta) -> Callable[[QueryContext], datetime]:
    return lambda ctx: start(ctx) + shift


_STARTS: dict[str, Callable[[QueryContext], datetime]] = {
    "now": lambda ctx: ctx.now,
    "startOfDay": _midnight,
    "endOfDay": lambda ctx: _midnight(ctx) + timedelta(days=1, microseconds=-1),
}


def _key_compare(fld: _Field, op: str, value: Value) -> Pred:
    """`key > PROJ-5`: later issues of the same project; a number compares issue ids."""
    bound = _key_parts(value)
    if bound is None and not (isinstance(value, str) and value.isdigit()):
        raise _Invalid(f"The issue key '{value}' for field '{fld.name}' is invalid.")
    compare = _COMPARE[op]
    if bound is None:
        number = int(str(value))
        return lambda r, c: str(r.get("id", "")).isdigit() and compare(int(r["id"]), number)
    project, limit = bound

    def pred(r: Record, ctx: QueryContext) -> bool:
        parts = _key_parts(r.get("key"))
        return parts is not None and parts[0] == project and compare(parts[1], limit)

    return pred
