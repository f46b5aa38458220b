"""What a conformance run found: one record per check run, grouped into an operation x family matrix."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

SHORT_SECRET = 8  # keys shorter than this are filtered as whole words only
FILTERED = "[Filtered]"  # what schemathesis' own reproductions show in place of a credential


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Failure:
    """Everything a person needs to understand and replay one failure."""

    rule: str  # the rule that was broken, in words
    request: str  # method, URL, headers and body as sent
    response: str  # status, headers and body as received ("" if none)
    reproduce: str  # a copy-paste reproduction (curl), with the seed

    def without(self, secrets: Iterable[str | None]) -> "Failure":
        """This failure with every occurrence of these secrets filtered out."""
        return replace(
            self,
            rule=filtered(self.rule, secrets),
            request=filtered(self.request, secrets),
            response=filtered(self.response, secrets),
            reproduce=filtered(self.reproduce, secrets),
        )


def filtered(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of these secrets (the API keys under test) replaced by
    FILTERED: reports are CI artifacts, and a server may echo a key back in a body or header."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= SHORT_SECRET:
            text = text.replace(secret, FILTERED)
        else:  # a test key such as "k": only where it stands alone, not inside "keep-alive"
            text = re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", FILTERED, text)
    return text


@dataclass(frozen=True)
class CheckResult:
    operation: str  # "POST /videos/extensions"
    family: str  # a column of the matrix, e.g. "response schema"
    check: str  # the precise check, e.g. "response_schema_conformance"
    outcome: Outcome
    failure: Failure | None = None
    detail: str = ""  # why it was skipped, or a one-line summary

    def without(self, secrets: Iterable[str | None]) -> "CheckResult":
        """This result with the secrets filtered out of its failure and its detail."""
        if self.failure is None and not self.detail:
            return self  # a pass: nothing quoted
        failure = self.failure.without(secrets) if self.failure is not None else None
        return replace(self, failure=failure, detail=filtered(self.detail, secrets))


@dataclass
class Cell:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass
class Report:
    results: list[CheckResult] = field(default_factory=list)
    seed: int = 0
    target: str = ""
    elapsed: float = 0.0
    # Test cases the fuzzing engine generated (counted as the schemathesis CLI counts them) and the
    # scenarios they ran in; 0 when fuzzing did not run.
    cases: int = 0
    scenarios: int = 0
    # Stopped by Ctrl-C (SIGINT): the results are those of the checks that ran before it.
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.results) and not self.failures and not self.interrupted

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome is Outcome.FAILED]

    def failed_checks(self) -> set[str]:
        return {r.check for r in self.failures}

    def matrix(self) -> tuple[list[str], list[str], dict[tuple[str, str], Cell]]:
        """Operations (rows), families (columns) and the counts in each cell."""
        cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
        for result in self.results:
            cells[result.operation, result.family].add(result.outcome)
        operations = sorted({op for op, _ in cells})
        families = list(dict.fromkeys(r.family for r in self.results))
        return operations, families, dict(cells)
