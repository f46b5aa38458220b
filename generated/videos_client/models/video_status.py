from enum import StrEnum
from typing import Any, Self

from ..types import enum_from_wire


class VideoStatus(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    QUEUED = "queued"

    def __str__(self) -> str:
        return str(self.value)

    @property
    def is_known(self) -> bool:
        """False for a value this client's contract does not list, e.g. one sent by a newer server."""
        return self._value_ in type(self)._value2member_map_

    @classmethod
    def from_wire(cls, value: str) -> Self:
        """The member for a value read from JSON: a dict lookup for a known value (several times
        faster than calling the class), the lenient pseudo-member of ``_missing_`` otherwise."""
        return enum_from_wire(cls, value)

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        # A newer server may send a value the contract does not list yet: keep the raw string in a
        # pseudo-member (``is_known`` is False) rather than failing the whole response.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member
