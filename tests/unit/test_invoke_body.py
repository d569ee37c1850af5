"""Request bodies become the operation's models; a union body type is chosen by the shape of the JSON."""

from __future__ import annotations

from adapter import catalogue, invoke


def test_a_union_body_is_chosen_by_shape() -> None:
    module = catalogue.find("confluence-v1/addLabelsToContent").module()  # LabelCreate | list[LabelCreate]
    item, kind = invoke._body_model(module, [{"prefix": "global", "name": "a"}])
    assert kind is list and item.__name__ == "LabelCreate"
    assert invoke._body_model(module, {"prefix": "global", "name": "a"}).__name__ == "LabelCreate"


def test_a_plain_model_body() -> None:
    module = catalogue.find("jira-platform/createIssue").module()
    assert invoke._body_model(module, {"fields": {}}).__name__ == "IssueUpdateDetails"
