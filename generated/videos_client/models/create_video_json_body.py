from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.known_video_model import KnownVideoModel
from ..models.video_seconds import VideoSeconds
from ..models.video_size import VideoSize
from ..types import UNSET, Unset, enum_from_wire

T = TypeVar("T", bound="CreateVideoJsonBody")


@_attrs_define
class CreateVideoJsonBody:
    """
    Attributes:
        prompt (str): A text prompt (1 to 32000 characters).
        input_reference (ImageInputReference | Unset): A reference image given by uploaded file id or by URL.
        model (KnownVideoModel | str | Unset): The video generation model. Open: any model name is a valid value, so
            clients must
            accept names they do not know; the known names are listed in `KnownVideoModel`.
        seconds (VideoSeconds | Unset): Clip duration in seconds for `createVideo` (allowed values: 4, 8, 12). Defaults
            to 4.
        size (VideoSize | Unset): Output resolution formatted as width x height.
    """

    prompt: str
    input_reference: ImageInputReference | Unset = UNSET
    model: KnownVideoModel | str | Unset = UNSET
    seconds: VideoSeconds | Unset = UNSET
    size: VideoSize | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        input_reference: dict[str, Any] | Unset = UNSET
        if not isinstance(self.input_reference, Unset):
            input_reference = self.input_reference.to_dict()

        model: str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        elif isinstance(self.model, KnownVideoModel):
            model = self.model.value
        else:
            model = self.model

        seconds: str | Unset = UNSET
        if not isinstance(self.seconds, Unset):
            seconds = self.seconds.value

        size: str | Unset = UNSET
        if not isinstance(self.size, Unset):
            size = self.size.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if input_reference is not UNSET:
            field_dict["input_reference"] = input_reference
        if model is not UNSET:
            field_dict["model"] = model
        if seconds is not UNSET:
            field_dict["seconds"] = seconds
        if size is not UNSET:
            field_dict["size"] = size

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        _input_reference = d.pop("input_reference", UNSET)
        input_reference: ImageInputReference | Unset
        if isinstance(_input_reference, Unset):
            input_reference = UNSET
        else:
            input_reference = ImageInputReference.from_dict(_input_reference)

        model: KnownVideoModel | str | Unset = d.pop("model", UNSET)
        if isinstance(model, str):
            try:
                componentsschemas_video_model_type_0 = enum_from_wire(KnownVideoModel, model)

                model = componentsschemas_video_model_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass

        _seconds = d.pop("seconds", UNSET)
        seconds: VideoSeconds | Unset
        if isinstance(_seconds, Unset):
            seconds = UNSET
        else:
            seconds = enum_from_wire(VideoSeconds, _seconds)

        _size = d.pop("size", UNSET)
        size: VideoSize | Unset
        if isinstance(_size, Unset):
            size = UNSET
        else:
            size = enum_from_wire(VideoSize, _size)

        create_video_json_body = cls(
            prompt=prompt,
            input_reference=input_reference,
            model=model,
            seconds=seconds,
            size=size,
        )

        return create_video_json_body


# At the end, not the top: see the note in templates/model.py.jinja.
from ..models.image_input_reference import ImageInputReference
