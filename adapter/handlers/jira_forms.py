"""Jira Forms (ProForma): answers given as mcp-atlassian takes them, saved in the Forms API's answer shape."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from . import HandlerContext, ToolError, handler

JSON = Any

CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# The tool's answer types (mcp-atlassian's names) -> the FormAnswer key that holds the value
ANSWER_KEYS = {
    "TEXT": "text",
    "NUMBER": "text",  # FormAnswer has no number key: number questions hold their answer as text
    "DATE": "date",
    "DATETIME": "date",  # date and time: both keys
    "TIME": "time",
    "SELECT": "choices",
    "MULTI_SELECT": "choices",
    "CHECKBOX": "choices",
    "USER": "users",
    "MULTI_USER": "users",
}


def _moment(where: str, value: Any) -> datetime:
    """An ISO 8601 date or date-time, or Unix milliseconds (UTC); the wall-clock time given is kept as given."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ToolError(f"{where}: expected an ISO 8601 date (2026-01-31), date-time or Unix milliseconds, got {value!r}")


def _time(where: str, value: Any) -> str:
    """HH:mm from "9:30" / "09:30", or from a date-time or Unix milliseconds."""
    match = CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return f"{int(match[1]):02d}:{match[2]}"
    return _moment(where, value).strftime("%H:%M")


def form_answer(index: int, item: Any) -> tuple[str, dict[str, Any]]:
    """One `{questionId, type, value}` as (question id, FormAnswer)."""
    where = f"answers[{index}]"
    if not isinstance(item, dict):
        raise ToolError(f"{where}: expected an object with questionId, type and value")
    question = str(item.get("questionId") or "").strip()
    if not question:
        raise ToolError(f"{where}: questionId is required")
    kind = str(item.get("type") or "TEXT").upper()
    if kind not in ANSWER_KEYS:
        raise ToolError(f"{where}.type: {kind!r} is not one of {', '.join(ANSWER_KEYS)}")
    value = item.get("value")
    key = ANSWER_KEYS[kind]
    if key in ("choices", "users"):
        values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        return question, {key: [str(v) for v in values]}
    if value is None:
        raise ToolError(f"{where}.value is required for {kind}")
    if kind == "DATE":
        return question, {"date": _moment(f"{where}.value", value).strftime("%Y-%m-%d")}
    if kind == "DATETIME":
        moment = _moment(f"{where}.value", value)
        return question, {"date": moment.strftime("%Y-%m-%d"), "time": moment.strftime("%H:%M")}
    if kind == "TIME":
        return question, {"time": _time(f"{where}.value", value)}
    return question, {"text": value if isinstance(value, str) else str(value)}


@handler
async def jira_update_proforma_form_answers(ctx: HandlerContext, args: dict[str, Any]) -> JSON:
    answers: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(args["answers"]):
        question, answer = form_answer(index, item)
        if question in answers:
            raise ToolError(f"answers[{index}]: question {question} is answered twice")
        answers[question] = answer
    if not answers:
        raise ToolError("answers: give at least one answer")
    form = await ctx.call(
        "jira-forms/saveIssueFormAnswers",
        body={"answers": answers},
        issue_id_or_key=args["issue_key"],
        form_id=args["form_id"],
    )
    return {"issue_key": args["issue_key"], "form": form, "saved": list(answers)}
