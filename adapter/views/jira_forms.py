"""Views of Jira Forms (ProForma): the forms on an issue, one form's questions beside their answers, saved answers.

A form's design keeps questions and answers apart (both keyed by question id); the model reads them side by side,
in question order, with rich-text answers as Markdown and the codes spelt out (o -> open, i -> internal).
"""

from __future__ import annotations

from typing import Any

from . import (
    _B,
    _S,
    _STRS,
    JSON,
    View,
    ViewContext,
    _arr,
    _count,
    _obj,
    _put,
    _require_dict,
    _root,
    register,
    rich_text,
)

STATUS = {"o": "open", "s": "submitted", "l": "locked"}
VISIBILITY = {"i": "internal", "e": "external"}


def _index_entry(entry: Any) -> JSON:
    entry = _require_dict(entry, "form")
    out: JSON = {"id": entry.get("id"), "name": entry.get("name")}
    out["status"] = "submitted" if entry.get("submitted") else "open"
    if entry.get("lock"):
        out["locked"] = True
    if isinstance(entry.get("internal"), bool):
        out["visibility"] = "internal" if entry["internal"] else "external"
    _put(out, "updated", entry.get("updated"))
    _put(out, "template_id", (entry.get("formTemplate") or {}).get("id"))
    return out


def _project_forms(data: Any, ctx: ViewContext) -> JSON:
    if not isinstance(data, list):
        raise ValueError(f"forms: expected a JSON array, got {type(data).__name__}")
    return {"issue_key": str(ctx.arguments.get("issue_key", "")), "forms": [_index_entry(f) for f in data]}


def _render_forms(view: dict[str, Any]) -> str:
    lines = [f"{view['issue_key']}: {_count(len(view['forms']), 'form')}"]
    for form in view["forms"]:
        flags = [form["status"], *(["locked"] if form.get("locked") else []), form.get("visibility", "")]
        lines.append(f"- {form.get('name')} · {' · '.join(f for f in flags if f)} · id {form['id']}")
    return "\n".join(lines)


def _question_order(question_id: str) -> tuple[int, int | str]:
    return (0, int(question_id)) if question_id.isascii() and question_id.isdigit() else (1, question_id)


def _answer(answer: Any) -> JSON:
    """A FormAnswer with ADF as Markdown; every other key as the API gives it."""
    if not isinstance(answer, dict):
        return {}
    out: JSON = {}
    for key, value in answer.items():
        _put(out, "text" if key == "adf" else key, rich_text(value) if key == "adf" else value)
    return out


def _question(question_id: str, question: Any, answer: Any) -> JSON:
    question = question if isinstance(question, dict) else {}
    out: JSON = {"id": question_id, "label": question.get("label", ""), "type": question.get("type", "")}
    if (question.get("validation") or {}).get("rq"):
        out["required"] = True
    _put(out, "description", question.get("description"))
    _put(out, "jira_field", question.get("jiraField"))
    choices = [{"id": str(c.get("id")), "label": c.get("label", "")} for c in question.get("choices") or []]
    _put(out, "choices", choices)
    _put(out, "answer", _answer(answer))
    return out


def _form_head(form: JSON) -> JSON:
    design, state = form.get("design") or {}, form.get("state") or {}
    out: JSON = {"id": form.get("id")}
    _put(out, "name", (design.get("settings") or {}).get("name"))
    status, visibility = str(state.get("status") or ""), str(state.get("visibility") or "")
    _put(out, "status", STATUS.get(status, status))
    _put(out, "visibility", VISIBILITY.get(visibility, visibility))
    _put(out, "updated", form.get("updated"))
    return out


def _project_form(data: Any, ctx: ViewContext) -> JSON:
    form = _require_dict(data, "form")
    questions = (form.get("design") or {}).get("questions") or {}
    answers = (form.get("state") or {}).get("answers") or {}
    out = {"issue_key": str(ctx.arguments.get("issue_key", "")), **_form_head(form)}
    order = sorted(set(questions) | set(answers), key=_question_order)
    out["questions"] = [_question(q, questions.get(q), answers.get(q)) for q in order]
    return out


def _answer_text(question: JSON) -> str:
    answer = question.get("answer")
    if not answer:
        return "(no answer)"
    labels = {c["id"]: c["label"] for c in question.get("choices", [])}
    parts = []
    for key, value in answer.items():
        if key == "choices":
            parts.append(", ".join(f"{labels.get(v, '?')} ({v})" for v in value))
        elif isinstance(value, list):
            parts.append(", ".join(str(v) for v in value))
        else:
            parts.append(str(value))
    return " ".join(parts)


def _render_form(view: dict[str, Any]) -> str:
    flags = " · ".join(str(view[k]) for k in ("status", "visibility") if k in view)
    lines = [f"{view['issue_key']} form {view.get('name', '')} ({flags}) · id {view['id']}"]
    for q in view["questions"]:
        kind = q["type"] + (", required" if q.get("required") else "")
        if q.get("choices"):
            kind += "; choices " + ", ".join(f"{c['id']} {c['label']}" for c in q["choices"])
        text = _answer_text(q)
        lines.append(f"- [{q['id']}] {q['label']} ({kind}): " + (text.replace("\n", "\n  ")))
    return "\n".join(lines)


def _project_saved(data: Any, ctx: ViewContext) -> JSON:
    data = _require_dict(data, "saved form")
    form = data.get("form") if isinstance(data.get("form"), dict) else {}
    return {"issue_key": data["issue_key"], **_form_head({"id": ctx.arguments.get("form_id"), **form}),
            "saved": data["saved"]}  # fmt: skip


def _render_saved(view: dict[str, Any]) -> str:
    return f"{view['issue_key']}: saved answers to questions {', '.join(view['saved'])} of form {view['id']}"


_FORM_HEAD = {"issue_key": _S, "id": _S, "name": _S, "status": _S, "visibility": _S, "updated": _S}
_ANSWER = _obj({"text": _S, "date": _S, "time": _S, "choices": _STRS, "users": _STRS, "files": _STRS})
_QUESTION = _obj(
    {
        "id": _S,
        "label": _S,
        "type": _S,
        "required": _B,
        "description": _S,
        "jira_field": _S,
        "choices": _arr(_obj({"id": _S, "label": _S}, ["id"])),
        "answer": _ANSWER,
    },
    ["id"],
)
_INDEX_ENTRY = _obj(
    {"id": _S, "name": _S, "status": _S, "locked": _B, "visibility": _S, "updated": _S, "template_id": _S}, ["id"]
)

register(
    View("jira_forms", _project_forms, _render_forms, _root(_obj({"issue_key": _S, "forms": _arr(_INDEX_ENTRY)},
                                                                    ["forms"]))),
    View("jira_form", _project_form, _render_form, _root(_obj({**_FORM_HEAD, "questions": _arr(_QUESTION)},
                                                                ["id", "questions"]))),
    View("jira_form_saved", _project_saved, _render_saved, _root(_obj({**_FORM_HEAD, "saved": _STRS},
                                                                       ["id", "saved"]))),
)  # fmt: skip
