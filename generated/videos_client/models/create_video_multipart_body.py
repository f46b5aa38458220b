from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..models.known_video_model import KnownVideoModel
from ..models.video_seconds import VideoSeconds
from ..models.video_size import VideoSize
from ..types import UNSET, File, FileTypes, Unset, enum_from_wire

T = TypeVar("T", bound="CreateVideoMultipartBody")


@_attrs_define
class CreateVideoMultipartBody:
    """
    Attributes:
        prompt (str): A text prompt (1 to 32000 characters).
        input_reference (File | ImageInputReference | Unset): Optional reference that guides generation: an uploaded
            image (file part
            `input_reference`) or a reference object sent as `input_reference[file_id]` or
            `input_reference[image_url]`.
        model (KnownVideoModel | str | Unset): The video generation model. Open: any model name is a valid value, so
            clients must
            accept names they do not know; the known names are listed in `KnownVideoModel`.
        seconds (VideoSeconds | Unset): Clip duration in seconds for `createVideo` (allowed values: 4, 8, 12). Defaults
            to 4.
        size (VideoSize | Unset): Output resolution formatted as width x height.
    """

    prompt: str
    input_reference: File | ImageInputReference | Unset = UNSET
    model: KnownVideoModel | str | Unset = UNSET
    seconds: VideoSeconds | Unset = UNSET
    size: VideoSize | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        input_reference: dict[str, Any] | FileTypes | Unset
        if isinstance(self.input_reference, Unset):
            input_reference = UNSET
        elif isinstance(self.input_reference, File):
            input_reference = self.input_reference.to_tuple()

        else:
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

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("prompt", (None, str(self.prompt).encode(), "text/plain")))

        if not isinstance(self.input_reference, Unset):
            if isinstance(self.input_reference, File):
                files.append(("input_reference", self.input_reference.to_tuple()))
            else:
                for _key, _value in self.input_reference.to_dict().items():
                    files.append(("input_reference" + f"[{_key}]", (None, str(_value).encode(), "text/plain")))

        if not isinstance(self.model, Unset):
            if isinstance(self.model, KnownVideoModel):
                files.append(("model", (None, str(self.model.value).encode(), "text/plain")))
            else:
                files.append(("model", (None, str(self.model).encode(), "text/plain")))

        if not isinstance(self.seconds, Unset):
            files.append(("seconds", (None, str(self.seconds.value).encode(), "text/plain")))

        if not isinstance(self.size, Unset):
            files.append(("size", (None, str(self.size.value).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        def _parse_input_reference(data: object) -> File | ImageInputReference | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, bytes):
                    raise TypeError()
                input_reference_type_0 = File(payload=BytesIO(data))

                return input_reference_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            input_reference_type_1 = ImageInputReference.from_dict(data)

            return input_reference_type_1

        input_reference = _parse_input_reference(d.pop("input_reference", UNSET))

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

        create_video_multipart_body = cls(
            prompt=prompt,
            input_reference=input_reference,
            model=model,
            seconds=seconds,
            size=size,
        )

        return create_video_multipart_body


# At the end, not the top: see the note in templates/model.py.jinja.
from ..models.image_input_reference import ImageInputReference
