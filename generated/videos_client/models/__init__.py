"""Contains all the data models used in inputs/outputs"""

from .create_video_character_multipart_body import CreateVideoCharacterMultipartBody
from .create_video_json_body import CreateVideoJsonBody
from .create_video_multipart_body import CreateVideoMultipartBody
from .edit_video_json_body import EditVideoJsonBody
from .edit_video_multipart_body import EditVideoMultipartBody
from .error import Error
from .error_response import ErrorResponse
from .extend_video_json_body import ExtendVideoJsonBody
from .extend_video_multipart_body import ExtendVideoMultipartBody
from .image_input_reference import ImageInputReference
from .known_misalignment_error_type import KnownMisalignmentErrorType
from .known_video_model import KnownVideoModel
from .list_order import ListOrder
from .misalignment import Misalignment
from .misalignment_steer import MisalignmentSteer
from .remix_video_body import RemixVideoBody
from .video import Video
from .video_character import VideoCharacter
from .video_content_variant import VideoContentVariant
from .video_create_error import VideoCreateError
from .video_create_error_headers_type_0 import VideoCreateErrorHeadersType0
from .video_delete_response import VideoDeleteResponse
from .video_extension_seconds import VideoExtensionSeconds
from .video_list_response import VideoListResponse
from .video_reference import VideoReference
from .video_seconds import VideoSeconds
from .video_size import VideoSize
from .video_status import VideoStatus

__all__ = (
    "CreateVideoCharacterMultipartBody",
    "CreateVideoJsonBody",
    "CreateVideoMultipartBody",
    "EditVideoJsonBody",
    "EditVideoMultipartBody",
    "Error",
    "ErrorResponse",
    "ExtendVideoJsonBody",
    "ExtendVideoMultipartBody",
    "ImageInputReference",
    "KnownMisalignmentErrorType",
    "KnownVideoModel",
    "ListOrder",
    "Misalignment",
    "MisalignmentSteer",
    "RemixVideoBody",
    "Video",
    "VideoCharacter",
    "VideoContentVariant",
    "VideoCreateError",
    "VideoCreateErrorHeadersType0",
    "VideoDeleteResponse",
    "VideoExtensionSeconds",
    "VideoListResponse",
    "VideoReference",
    "VideoSeconds",
    "VideoSize",
    "VideoStatus",
)
