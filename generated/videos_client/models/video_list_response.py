from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types

T = TypeVar("T", bound="VideoListResponse")


@_attrs_define
class VideoListResponse:
    """One page of a cursor-paginated list of videos.

    Attributes:
        object_ (Literal['list']):
        data (list[Video]):
        first_id (None | str): Identifier of the first item in `data`, or null when the page is empty.
        last_id (None | str): Identifier of the last item in `data`; pass it as `after` for the next page.
        has_more (bool): Whether more items follow this page.
    """

    object_: Literal["list"]
    data: list[Video]
    first_id: None | str
    last_id: None | str
    has_more: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        first_id: None | str
        first_id = self.first_id

        last_id: None | str
        last_id = self.last_id

        has_more = self.has_more

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object": object_,
                "data": data,
                "first_id": first_id,
                "last_id": last_id,
                "has_more": has_more,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        object_: Literal["list"] = d.pop("object")
        if object_ != "list":
            raise ValueError(f"object must match const 'list', got '{object_}'")

        data = []
        _data = d.pop("data")
        for data_item_data_index, data_item_data in enumerate(_data):
            try:
                data_item = Video.from_dict(data_item_data)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise types.wrong_at(f"data[{data_item_data_index}]", exc) from None

            data.append(data_item)

        first_id: None | str = d.pop("first_id")

        last_id: None | str = d.pop("last_id")

        has_more = d.pop("has_more")

        video_list_response = cls(
            object_=object_,
            data=data,
            first_id=first_id,
            last_id=last_id,
            has_more=has_more,
        )

        video_list_response.additional_properties = d
        return video_list_response

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
from ..models.video import Video
