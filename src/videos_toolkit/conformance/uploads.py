"""The MP4s the suite uploads. By default they are made to measure (Motion-JPEG frames in an
``mp4v`` track, of any frame size and whole number of seconds). ``--sample-video`` gives a clip of
the user's instead (H.264, say, for a server that reads nothing else). It is uploaded wherever
a video file goes, and the checks expect its length, read from the file."""

import io
from dataclasses import dataclass
from pathlib import Path

from videos_toolkit.mock import media

# A video's length is given in whole seconds: a sample must be within this of one.
WHOLE_SECOND_SLACK = 0.1


class SampleError(ValueError):
    pass


@dataclass(frozen=True)
class Uploads:
    sample: bytes | None = None
    sample_seconds: int = 0
    path: str | None = None  # where the sample came from, for the rerun line

    def clip(self, size: str, seconds: int) -> tuple[bytes, int]:
        """An MP4 to upload and its length in seconds: the sample, whatever is asked for, or a
        clip of ``size`` and ``seconds`` made to measure."""
        if self.sample is not None:
            return self.sample, self.sample_seconds
        return media.mp4_video(size, seconds), seconds


def sample_uploads(path: Path) -> Uploads:
    """The user's clip, refused with a reason when the checks could not use it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SampleError(f"--sample-video {path}: cannot read it ({exc.strerror or exc})") from exc
    try:
        probe = media.probe_mp4(io.BytesIO(data))
    except media.MediaError as exc:
        raise SampleError(f"--sample-video {path}: {exc}; give an MP4 file") from exc
    movie = media.movie_seconds(io.BytesIO(data))
    if movie is not None and abs(movie - probe.duration) > WHOLE_SECOND_SLACK:
        raise SampleError(
            f"--sample-video {path}: its audio track lasts {probe.duration:.2f} s and the movie "
            f"{movie:.2f} s, and a server may take either as the video's length; give a clip whose "
            "tracks are of one length (or one without audio)"
        )
    seconds = round(probe.duration)
    if seconds < 1 or abs(probe.duration - seconds) > WHOLE_SECOND_SLACK:
        raise SampleError(
            f"--sample-video {path} lasts {probe.duration:.2f} s: the checks expect an uploaded video's "
            "length in whole seconds (an extension's is the source's plus the seconds asked for), so "
            "give a clip of a whole number of seconds, at least 1"
        )
    return Uploads(data, seconds, str(path))
