from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoCreateError")


@_attrs_define
class VideoCreateError:
    """An error that occurred while generating the video.

    Attributes:
        code (str): A machine-readable error code that was returned.
        message (str): A human-readable description of the error that was returned.
        param (None | str | Unset): The request parameter associated with the error, or null if none was recorded.
        type_ (None | str | Unset): The original error type, or null if it was not recorded.
        headers (None | Unset | VideoCreateErrorHeadersType0): Headers returned with the original error, such as Retry-
            After or Retry-After-Ms.
        misalignment (Misalignment | None | Unset):
    """

    code: str
    message: str
    param: None | str | Unset = UNSET
    type_: None | str | Unset = UNSET
    headers: None | Unset | VideoCreateErrorHeadersType0 = UNSET
    misalignment: Misalignment | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        param: None | str | Unset
        if isinstance(self.param, Unset):
            param = UNSET
        else:
            param = self.param

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, VideoCreateErrorHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        misalignment: dict[str, Any] | None | Unset
        if isinstance(self.misalignment, Unset):
            misalignment = UNSET
        elif isinstance(self.misalignment, Misalignment):
            misalignment = self.misalignment.to_dict()
        else:
            misalignment = self.misalignment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if param is not UNSET:
            field_dict["param"] = param
        if type_ is not UNSET:
            field_dict["type"] = type_
        if headers is not UNSET:
            field_dict["headers"] = headers
        if misalignment is not UNSET:
            field_dict["misalignment"] = misalignment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        param: None | str | Unset = d.pop("param", UNSET)

        type_: None | str | Unset = d.pop("type", UNSET)

        headers: None | Unset | VideoCreateErrorHeadersType0 = d.pop("headers", UNSET)
        if headers is not None and not isinstance(headers, Unset):
            if not isinstance(headers, dict):
                raise types.WrongAt("headers", f"holds {headers!r:.60}, not what the contract allows there")
            try:
                headers_type_0 = VideoCreateErrorHeadersType0.from_dict(headers)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise types.wrong_at("headers", exc) from None
            headers = headers_type_0

        misalignment: Misalignment | None | Unset = d.pop("misalignment", UNSET)
        if misalignment is not None and not isinstance(misalignment, Unset):
            if not isinstance(misalignment, dict):
                raise types.WrongAt("misalignment", f"holds {misalignment!r:.60}, not what the contract allows there")
            try:
                misalignment_type_0 = Misalignment.from_dict(misalignment)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise types.wrong_at("misalignment", exc) from None
            misalignment = misalignment_type_0

        video_create_error = cls(
            code=code,
            message=message,
            param=param,
            type_=type_,
            headers=headers,
            misalignment=misalignment,
        )

        video_create_error.additional_properties = d
        return video_create_error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# At the end, not the top: see the note in templates/model.py.jinja.
from ..models.misalignment import Misalignment
from ..models.video_create_error_headers_type_0 import VideoCreateErrorHeadersType0
