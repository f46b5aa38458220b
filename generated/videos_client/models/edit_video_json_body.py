from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="EditVideoJsonBody")


@_attrs_define
class EditVideoJsonBody:
    """
    Attributes:
        prompt (str): A text prompt (1 to 32000 characters).
        video (VideoReference): Reference to a completed video.
    """

    prompt: str
    video: VideoReference

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        video = self.video.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
                "video": video,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        video = VideoReference.from_dict(d.pop("video"))

        edit_video_json_body = cls(
            prompt=prompt,
            video=video,
        )

        return edit_video_json_body


# At the end, not the top: see the note in templates/model.py.jinja.
from ..models.video_reference import VideoReference
