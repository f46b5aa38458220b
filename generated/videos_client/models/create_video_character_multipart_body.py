from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..types import File

T = TypeVar("T", bound="CreateVideoCharacterMultipartBody")


@_attrs_define
class CreateVideoCharacterMultipartBody:
    """
    Attributes:
        name (str): Display name for this API character.
        video (File): An uploaded file (a multipart file part).
    """

    name: str
    video: File

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        video = self.video.to_tuple()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "video": video,
            }
        )

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("name", (None, str(self.name).encode(), "text/plain")))

        files.append(("video", self.video.to_tuple()))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        video = File(payload=BytesIO(d.pop("video")))

        create_video_character_multipart_body = cls(
            name=name,
            video=video,
        )

        return create_video_character_multipart_body
