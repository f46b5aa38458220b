from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..models.video_extension_seconds import VideoExtensionSeconds
from ..types import File, FileTypes, enum_from_wire

T = TypeVar("T", bound="ExtendVideoMultipartBody")


@_attrs_define
class ExtendVideoMultipartBody:
    """
    Attributes:
        prompt (str): A text prompt (1 to 32000 characters).
        seconds (VideoExtensionSeconds): Length of the newly generated extension segment in seconds (allowed values: 4,
            8, 12,
            16, 20). The source document is inconsistent here: its prose allows 4, 8, 12, 16 and 20
            while its `VideoSeconds` type lists only "4", "8" and "12". This contract follows the
            prose for `extendVideo` and the type for `createVideo` (`VideoSeconds`).
        video (File | VideoReference): The video to extend: an uploaded video file (file part `video`) or a reference to
            a
            completed video (field `video[id]`).
    """

    prompt: str
    seconds: VideoExtensionSeconds
    video: File | VideoReference

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        seconds = self.seconds.value

        video: dict[str, Any] | FileTypes
        if isinstance(self.video, File):
            video = self.video.to_tuple()

        else:
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

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("prompt", (None, str(self.prompt).encode(), "text/plain")))

        files.append(("seconds", (None, str(self.seconds.value).encode(), "text/plain")))

        if isinstance(self.video, File):
            files.append(("video", self.video.to_tuple()))
        else:
            for _key, _value in self.video.to_dict().items():
                files.append(("video" + f"[{_key}]", (None, str(_value).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        seconds = enum_from_wire(VideoExtensionSeconds, d.pop("seconds"))

        def _parse_video(data: object) -> File | VideoReference:
            try:
                if not isinstance(data, bytes):
                    raise TypeError()
                video_type_0 = File(payload=BytesIO(data))

                return video_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            video_type_1 = VideoReference.from_dict(data)

            return video_type_1

        video = _parse_video(d.pop("video"))

        extend_video_multipart_body = cls(
            prompt=prompt,
            seconds=seconds,
            video=video,
        )

        return extend_video_multipart_body


# At the end, not the top: see the note in templates/model.py.jinja.
from ..models.video_reference import VideoReference
