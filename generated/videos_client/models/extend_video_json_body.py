from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.video_extension_seconds import VideoExtensionSeconds
from ..types import enum_from_wire

T = TypeVar("T", bound="ExtendVideoJsonBody")


@_attrs_define
class ExtendVideoJsonBody:
    """
    Attributes:
        prompt (str): A text prompt (1 to 32000 characters).
        seconds (VideoExtensionSeconds): Length of the newly generated extension segment in seconds (allowed values: 4,
            8, 12,
            16, 20). The source document is inconsistent here: its prose allows 4, 8, 12, 16 and 20
            while its `VideoSeconds` type lists only "4", "8" and "12". This contract follows the
            prose for `extendVideo` and the type for `createVideo` (`VideoSeconds`).
        video (VideoReference): Reference to a completed video.
    """

    prompt: str
    seconds: VideoExtensionSeconds
    video: VideoReference

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        seconds = self.seconds.value

        video = self.video.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
                "seconds": seconds,
                "video": video,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        seconds = enum_from_wire(VideoExtensionSeconds, d.pop("seconds"))

        video = VideoReference.from_dict(d.pop("video"))

        extend_video_json_body = cls(
            prompt=prompt,
            seconds=seconds,
            video=video,
        )

        return extend_video_json_body


# At the end, not the top: see the note in templates/model.py.jinja.
from ..models.video_reference import VideoReference
