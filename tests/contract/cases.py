"""What a contract case is; the cases of each tool area live in `cases_<area>.py` (CASES and DIRECT lists).

`test_prism_contract.py` runs the cases of its own module and of every `cases_*.py` beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


class SpecDefect(AssertionError):
    """Prism rejected requests only for reasons the case lists as known (a defect of the spec): the case is xfail."""


@dataclass(frozen=True)
class Case:
    tool: str
    deployment: str
    args: dict[str, Any]
    sends: tuple[str, ...]  # the operations reached with Prism's answers, in order
    variant: str = ""
    defect: str = ""  # a spec defect that makes Prism reject the request: the case is xfail(strict) for it
    known: tuple[str, ...] = ()  # the violation messages (regexes) the defect explains; any other still fails

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, raises=SpecDefect, reason=self.defect)] if self.defect else []
        return pytest.param(self, id="-".join(filter(None, (self.tool, self.deployment, self.variant))), marks=marks)


@dataclass(frozen=True)
class Direct:
    ref: str
    deployment: str
    kwargs: dict[str, Any]  # as the handler passes them
    why: str
    body: Any = None
    defect: str = ""  # as Case.defect: a spec defect makes Prism reject the call, so it is xfail(strict)
    known: tuple[str, ...] = ()

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, raises=SpecDefect, reason=self.defect)] if self.defect else []
        return pytest.param(self, id=self.ref, marks=marks)
