from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="VideoDeleteResponse")


@_attrs_define
class VideoDeleteResponse:
    """Confirmation payload returned after deleting a video.

    Attributes:
        id (str): Identifier of the deleted video.
        object_ (Literal['video.deleted']): The object type that signals the deletion response.
        deleted (bool): Indicates that the video resource was deleted: true in every 200 (a video that cannot
            be deleted answers an error, 404 when it is not there, never `deleted: false`).
    """

    id: str
    object_: Literal["video.deleted"]
    deleted: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        deleted = self.deleted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "deleted": deleted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_: Literal["video.deleted"] = d.pop("object")
        if object_ != "video.deleted":
            raise ValueError(f"object must match const 'video.deleted', got '{object_}'")

        deleted = d.pop("deleted")

        video_delete_response = cls(
            id=id,
            object_=object_,
            deleted=deleted,
        )

        video_delete_response.additional_properties = d
        return video_delete_response

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
