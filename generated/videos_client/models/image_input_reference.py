from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageInputReference")


@_attrs_define
class ImageInputReference:
    """A reference image given by uploaded file id or by URL.

    Attributes:
        file_id (str | Unset): The identifier of an uploaded file.
        image_url (str | Unset): A fully qualified URL or base64-encoded data URL.
    """

    file_id: str | Unset = UNSET
    image_url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        file_id = self.file_id

        image_url = self.image_url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if file_id is not UNSET:
            field_dict["file_id"] = file_id
        if image_url is not UNSET:
            field_dict["image_url"] = image_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file_id = d.pop("file_id", UNSET)

        image_url = d.pop("image_url", UNSET)

        image_input_reference = cls(
            file_id=file_id,
            image_url=image_url,
        )

        return image_input_reference
