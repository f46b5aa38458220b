from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.known_video_model import KnownVideoModel
from ..models.video_size import VideoSize
from ..models.video_status import VideoStatus
from ..types import UNSET, Unset, enum_from_wire

T = TypeVar("T", bound="Video")


@_attrs_define
class Video:
    """Structured information describing a generated video job.

    Attributes:
        id (str): Unique identifier for the video job.
        object_ (Literal['video']): The object type, which is always `video`.
        created_at (int): Unix timestamp (seconds) for when the job was created.
        model (KnownVideoModel | str): The video generation model. Open: any model name is a valid value, so clients
            must
            accept names they do not know; the known names are listed in `KnownVideoModel`.
        progress (int): Approximate completion percentage for the generation task. Across reads of one job it
            never goes down, unless the job fails (a failed job may report less).
        seconds (str): Duration of the generated clip in seconds, as a string. For extensions, this is the
            stitched total duration (source seconds + extension seconds), so it may be any
            whole number of seconds, not only a `VideoSeconds` value.
        size (VideoSize): Output resolution formatted as width x height.
        status (VideoStatus): Current lifecycle status of the video job: queued -> in_progress -> completed or failed.
            It never goes back, and once completed or failed it never changes.
        completed_at (int | None | Unset): Unix timestamp (seconds) for when the job completed; null unless the status
            is
            `completed` (a failed job has none).
        expires_at (int | None | Unset): Unix timestamp (seconds) for when the downloadable assets expire, if set.
        error (None | Unset | VideoCreateError): Error payload that explains why generation failed, if applicable.
        prompt (None | str | Unset): The prompt that was used to generate the video.
        remixed_from_video_id (None | str | Unset): Identifier of the source video if this video is a remix.
    """

    id: str
    object_: Literal["video"]
    created_at: int
    model: KnownVideoModel | str
    progress: int
    seconds: str
    size: VideoSize
    status: VideoStatus
    completed_at: int | None | Unset = UNSET
    expires_at: int | None | Unset = UNSET
    error: None | Unset | VideoCreateError = UNSET
    prompt: None | str | Unset = UNSET
    remixed_from_video_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created_at = self.created_at

        model: str
        if isinstance(self.model, KnownVideoModel):
            model = self.model.value
        else:
            model = self.model

        progress = self.progress

        seconds = self.seconds

        size = self.size.value

        status = self.status.value

        completed_at: int | None | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        expires_at: int | None | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, VideoCreateError):
            error = self.error.to_dict()
        else:
            error = self.error

        prompt: None | str | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        else:
            prompt = self.prompt

        remixed_from_video_id: None | str | Unset
        if isinstance(self.remixed_from_video_id, Unset):
            remixed_from_video_id = UNSET
        else:
            remixed_from_video_id = self.remixed_from_video_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "model": model,
                "progress": progress,
                "seconds": seconds,
                "size": size,
                "status": status,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if error is not UNSET:
            field_dict["error"] = error
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if remixed_from_video_id is not UNSET:
            field_dict["remixed_from_video_id"] = remixed_from_video_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_: Literal["video"] = d.pop("object")
        if object_ != "video":
            raise ValueError(f"object must match const 'video', got '{object_}'")

        created_at = d.pop("created_at")

        model: KnownVideoModel | str = d.pop("model")
        if isinstance(model, str):
            try:
                componentsschemas_video_model_type_0 = enum_from_wire(KnownVideoModel, model)

                model = componentsschemas_video_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass

        progress = d.pop("progress")

        seconds = d.pop("seconds")

        size = enum_from_wire(VideoSize, d.pop("size"))

        status = enum_from_wire(VideoStatus, d.pop("status"))

        completed_at: int | None | Unset = d.pop("completed_at", UNSET)

        expires_at: int | None | Unset = d.pop("expires_at", UNSET)

        error: None | Unset | VideoCreateError = d.pop("error", UNSET)
        if error is not None and not isinstance(error, Unset):
            if not isinstance(error, dict):
                raise types.WrongAt("error", f"holds {error!r:.60}, not what the contract allows there")
            try:
                error_type_0 = VideoCreateError.from_dict(error)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise types.wrong_at("error", exc) from None
            error = error_type_0

        prompt: None | str | Unset = d.pop("prompt", UNSET)

        remixed_from_video_id: None | str | Unset = d.pop("remixed_from_video_id", UNSET)

        video = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            model=model,
            progress=progress,
            seconds=seconds,
            size=size,
            status=status,
            completed_at=completed_at,
            expires_at=expires_at,
            error=error,
            prompt=prompt,
            remixed_from_video_id=remixed_from_video_id,
        )

        video.additional_properties = d
        return video

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
from ..models.video_create_error import VideoCreateError
