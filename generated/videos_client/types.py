"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from enum import StrEnum
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar

from attrs import define


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

# Each enum's value -> member map, keyed by the class. Reading an attribute of an enum class goes
# through its metaclass (several times the cost of a dict lookup), so it is done once per class.
_ENUM_MEMBERS: dict[type[StrEnum], dict[str, Any]] = {}


def enum_from_wire(cls: type[E], value: str) -> E:
    """The member of a string enum for a value read from JSON: a dict lookup for a known value,
    the enum's lenient pseudo-member (see its _missing_) for one this client does not know."""
    members = _ENUM_MEMBERS.get(cls)
    if members is None:
        members = _ENUM_MEMBERS.setdefault(cls, cls._value2member_map_)
    member: E | None = members.get(value)
    return member if member is not None else cls(value)


class WrongAt(ValueError):
    """A value of an answer that does not parse, and its place in the body (``data[1].size``);
    ``missing``: a required field that is not there. The client's APIResponseValidationError
    shows the object at that place, not the start of the body."""

    def __init__(self, place: str, problem: str, missing: bool = False) -> None:
        super().__init__(f"{place}: {problem}")
        self.place, self.problem, self.missing = place, problem, missing


def wrong_at(place: str, exc: Exception) -> WrongAt:
    """``exc``, raised while parsing the value at ``place``, as a WrongAt naming where."""
    if isinstance(exc, WrongAt):
        return WrongAt(f"{place}.{exc.place}", exc.problem, exc.missing)
    if isinstance(exc, KeyError):
        return WrongAt(f"{place}.{exc.args[0]}", "a required field is missing", missing=True)
    return WrongAt(place, str(exc) or type(exc).__name__)


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "UNSET",
    "File",
    "FileTypes",
    "RequestFiles",
    "Response",
    "Unset",
    "WrongAt",
    "enum_from_wire",
    "wrong_at",
]
