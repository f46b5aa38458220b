from enum import StrEnum
from typing import Any, Self

from ..types import enum_from_wire


class KnownVideoModel(StrEnum):
    SORA_2 = "sora-2"
    SORA_2_2025_10_06 = "sora-2-2025-10-06"
    SORA_2_2025_12_08 = "sora-2-2025-12-08"
    SORA_2_PRO = "sora-2-pro"
    SORA_2_PRO_2025_10_06 = "sora-2-pro-2025-10-06"

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
