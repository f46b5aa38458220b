"""Create a clip, extend it twice (by reference and by uploading it), and save the result.

    scripts/mock --speed 10 &                 # or any server that speaks the Videos API
    OPENAI_BASE_URL=http://127.0.0.1:4010/v1 OPENAI_API_KEY=sk-test python examples/extend.py out/

Checked by ``mypy --strict`` and run against the mock by the test suite (tests/test_client_types.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import videos_client
from videos_client.models import Video, VideoExtensionSeconds, VideoStatus


def show(video: Video) -> None:
    print(f"  {video.id}: {video.status} {video.progress}%", file=sys.stderr)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else ".")
    out.mkdir(parents=True, exist_ok=True)
    try:
        with videos_client.VideosClient(timeout=60, max_retries=3) as client:
            source = client.videos.create_and_poll(
                prompt="A paper boat drifting down a rainy street", seconds="4", on_progress=show
            )
            if source.status != VideoStatus.COMPLETED:
                print(f"generation failed: {source.error}", file=sys.stderr)
                return 1
            # By reference to the completed video: the new job's seconds is the stitched total.
            longer = client.videos.extend_and_poll(
                prompt="The boat reaches the harbour",
                seconds=VideoExtensionSeconds.SECONDS_8,
                video={"id": source.id},
                poll_timeout=600,
            )
            first = client.videos.download_to_file(longer.id, out / "extended.mp4")
            # By uploading a file.
            again = client.videos.extend_and_poll(prompt="Night falls", seconds=4, video=first)
            final = client.videos.download_to_file(again.id, out / "extended-again.mp4")
    except videos_client.RateLimitError as error:
        print(f"still rate limited after retries (request {error.request_id})", file=sys.stderr)
        return 2
    except videos_client.APIStatusError as error:
        print(f"the API said {error.status_code} {error.code}: {error.message}", file=sys.stderr)
        return 2
    except videos_client.APIConnectionError as error:
        print(f"could not reach the API: {error.message}", file=sys.stderr)
        return 2
    print(f"{final} ({again.seconds} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
