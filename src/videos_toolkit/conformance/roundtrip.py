"""Client round trip: every operation through the generated ``videos_client`` against the target.

If the client and the contract disagree (a field the client cannot send, a response it cannot
parse), this is where it shows. Uses the generated ``api`` functions' ``sync_detailed`` form.
"""

import importlib
import io
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
from videos_client import AuthenticatedClient
from videos_client.api.videos import (
    create_video,
    delete_video,
    download_video_content,
    edit_video,
    extend_video,
    list_videos,
    remix_video,
    retrieve_video,
)
from videos_client.models import (
    CreateVideoMultipartBody,
    EditVideoJsonBody,
    ExtendVideoMultipartBody,
    RemixVideoBody,
    Video,
    VideoContentVariant,
    VideoExtensionSeconds,
    VideoReference,
    VideoSeconds,
)
from videos_client.types import UNSET, File, Unset

from videos_toolkit.conformance.exchanges import shown_exchange
from videos_toolkit.conformance.properties import JOB_ATTEMPTS, Enums, first_not_failed
from videos_toolkit.conformance.results import CheckResult, Failure, Outcome
from videos_toolkit.conformance.target import Target
from videos_toolkit.json_pointer import resolve
from videos_toolkit.mock.operations import operation_labels, operation_shape

FAMILY = "client"
# Each variant of a download: the media type its Content-Type must name (the contract's 200 lists
# one per variant) and bytes its file starts with, within its first 16.
VARIANTS = {
    "video": ("video/mp4", b"ftyp"),
    "thumbnail": ("image/webp", b"WEBP"),
    "spritesheet": ("image/jpeg", b"\xff\xd8\xff"),
}


class RoundTripError(AssertionError):
    pass


def _download_types(spec: dict[str, Any]) -> set[str]:
    """The media types the contract's download answers 200 with."""
    download = spec["paths"].get("/videos/{video_id}/content", {}).get("get", {})
    ok, _ = resolve(spec, download.get("responses", {}).get("200", {}), "")
    return {media_type.lower() for media_type in ok.get("content", {})}


def run_round_trip(target: Target, spec: dict[str, Any], record: Callable[[CheckResult], None]) -> None:
    with target.client() as http:
        answers: list[httpx.Response] = []  # the step's answers: a failure shows the latest
        http.event_hooks = {**http.event_hooks, "response": [*http.event_hooks["response"], answers.append]}
        client = AuthenticatedClient(base_url=target.base_url, token=target.api_key).set_httpx_client(http)
        steps = _Steps(client, target, http, Enums.from_spec(spec), _download_types(spec))
        run_steps(
            steps.plan(),
            spec,
            target,
            answers,
            record,
            part="client",
            family=FAMILY,
            check="client_round_trip",
        )


def run_steps(
    plan: list[tuple[str, Callable[[], None]]],
    spec: dict[str, Any],
    target: Target,
    answers: list[Any],
    record: Callable[[CheckResult], None],
    *,
    part: str,
    family: str,
    check: str,
) -> None:
    """Run each (operation, step) in order, one check result each; ``answers`` collects the HTTP
    answers of the step running, and a failure shows the latest. An operation the contract does not
    have is skipped, and so is every step after a failed create (none can run without its video)."""
    in_contract = {operation_shape(label) for label in operation_labels(spec)}
    create_failed = False
    for operation, step in plan:
        if create_failed:
            why = "needs the video the create step could not make"
            record(CheckResult(operation, family, check, Outcome.SKIPPED, detail=why))
            continue
        if operation_shape(operation) not in in_contract:
            record(CheckResult(operation, family, check, Outcome.SKIPPED, detail="not in the contract"))
            continue
        answers.clear()
        try:
            step()
        except Exception as exc:  # any crash inside the client is exactly what this looks for
            sent, got, command = shown_exchange(answers[-1], target) if answers else ("", "", "")
            # A client's own words may hide why ("Data returned by API invalid for expected
            # schema."): what it raised from (pydantic's list of fields) says it.
            cause = f"\n{type(exc.__cause__).__name__}: {exc.__cause__}" if exc.__cause__ else ""
            failure = Failure(
                rule=f"{type(exc).__name__}: {exc}{cause}",
                request=sent,
                response=got,
                reproduce=f"# rerun (the round trip is not random): {target.rerun(part)}\n{command}",
            )
            record(
                CheckResult(
                    operation, family, check, Outcome.FAILED, failure, " ".join(failure.rule.split())[:300]
                )
            )
            create_failed = operation == "POST /videos"
        else:
            record(CheckResult(operation, family, check, Outcome.PASSED))


class _Steps:
    def __init__(
        self, client: AuthenticatedClient, target: Target, http: Any, enums: Enums, download_types: set[str]
    ) -> None:
        self.client, self.target, self.http, self.enums = client, target, http, enums
        self.download_types = download_types
        self.video: Video | None = None

    def plan(self) -> list[tuple[str, Callable[[], None]]]:
        return [(operation, partial(step, self)) for operation, step in self.PLAN]

    def _parsed(self, response: Any, kind: type) -> Any:
        if not isinstance(response.parsed, kind):
            raise RoundTripError(
                f"expected {kind.__name__}, got {response.status_code}: {response.content[:300]!r}"
            )
        return response.parsed

    def create(self) -> None:
        body = CreateVideoMultipartBody(
            prompt="A paper boat drifting down a rainy street",
            seconds=VideoSeconds(self.enums.create_seconds[0]),
        )

        def job() -> Video:
            video = self._parsed(create_video.sync_detailed(client=self.client, body=body), Video)
            self.target.wait(self.http, video.id)
            ended: Video = self._parsed(retrieve_video.sync_detailed(video.id, client=self.client), Video)
            return ended

        self.video = first_not_failed(job, lambda video: video.status)
        if str(self.video.status) != "completed":
            raise RoundTripError(f"the created video ended {self.video.status} ({JOB_ATTEMPTS} tries)")

    def retrieve(self) -> None:
        assert self.video is not None
        video = self._parsed(retrieve_video.sync_detailed(self.video.id, client=self.client), Video)
        if video.id != self.video.id:
            raise RoundTripError("retrieve returned another video")

    def list(self) -> None:
        """The new video is listed: in the first pages, newest first (other clients of the key may
        have created many since, while its job ran)."""
        assert self.video is not None
        after: str | Unset = UNSET
        for _ in range(5):
            page = list_videos.sync_detailed(client=self.client, limit=100, after=after)
            parsed = page.parsed
            if self.video.id in [v.id for v in getattr(parsed, "data", [])]:
                return
            if not getattr(parsed, "has_more", False) or not isinstance(
                getattr(parsed, "last_id", None), str
            ):
                break
            after = parsed.last_id
        raise RoundTripError(f"the new video is not in the first pages of the list ({page.status_code})")

    def extend(self) -> None:
        assert self.video is not None
        extra = self.enums.extension_seconds[0]
        upload, upload_seconds = self.target.uploads.clip("720x1280", 4)
        for source in (VideoReference(id=self.video.id), File(io.BytesIO(upload), "clip.mp4", "video/mp4")):
            body = ExtendVideoMultipartBody(
                prompt="The boat reaches the harbour", seconds=VideoExtensionSeconds(extra), video=source
            )
            video = self._parsed(extend_video.sync_detailed(client=self.client, body=body), Video)
            stitched_to = (
                int(str(self.video.seconds)) if isinstance(source, VideoReference) else upload_seconds
            )
            want = str(stitched_to + int(extra))
            if str(video.seconds) != want:
                raise RoundTripError(f"extension seconds {video.seconds}, expected {want}")

    def edit(self) -> None:
        assert self.video is not None
        body = EditVideoJsonBody(prompt="Make it night", video=VideoReference(id=self.video.id))
        self._parsed(edit_video.sync_detailed(client=self.client, body=body), Video)

    def remix(self) -> None:
        assert self.video is not None
        body = RemixVideoBody(prompt="Same scene, in watercolour")
        video = self._parsed(remix_video.sync_detailed(self.video.id, client=self.client, body=body), Video)
        if video.remixed_from_video_id != self.video.id:
            raise RoundTripError("remix must set remixed_from_video_id to the source")

    def content(self) -> None:
        """Each variant of the contract's download: the known ones as their own media type and
        bytes, one a contract change added as a media type the contract documents for it."""
        assert self.video is not None
        # A new variant's media type is one the contract documents and no known variant uses
        # (any documented one when it added none).
        new_types = self.download_types - {known for known, _ in VARIANTS.values()}
        for variant in self.enums.variants or tuple(VARIANTS):
            response = download_video_content.sync_detailed(
                self.video.id, client=self.client, variant=VideoContentVariant(variant)
            )
            payload = self._parsed(response, File).payload.read()
            sent_as = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            media_type, signature = VARIANTS.get(variant, (None, b""))
            allowed = {media_type} if media_type else new_types or self.download_types
            if sent_as not in allowed:
                raise RoundTripError(
                    f"content variant={variant} must be sent as {' or '.join(sorted(allowed))}, "
                    f"got Content-Type {sent_as!r}"
                )
            if signature not in payload[:16]:
                raise RoundTripError(f"content variant={variant} does not look like {media_type}")
        # Without a variant (the client leaves an unset one out) the contract's default is served.
        default = download_video_content.sync_detailed(self.video.id, client=self.client)
        sent_as = default.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        want = VARIANTS.get(self.enums.default_variant, (None,))[0]
        if want is not None and sent_as != want:
            raise RoundTripError(
                f"content without a variant must be the default ({self.enums.default_variant}, {want}), "
                f"got Content-Type {sent_as!r}"
            )

    def character(self) -> None:
        # Imported here: a contract without the character operations (an overlay may remove them)
        # generates a client without these modules, and this step is then skipped.
        create, get = (
            importlib.import_module(f"videos_client.api.videos.{name}")
            for name in ("create_video_character", "get_video_character")
        )
        models = importlib.import_module("videos_client.models")
        body = models.CreateVideoCharacterMultipartBody(
            name="Captain",
            video=File(io.BytesIO(self.target.uploads.clip("720x1280", 4)[0]), "captain.mp4", "video/mp4"),
        )
        made = self._parsed(create.sync_detailed(client=self.client, body=body), models.VideoCharacter)
        if made.id:
            self._parsed(get.sync_detailed(str(made.id), client=self.client), models.VideoCharacter)

    def delete(self) -> None:
        assert self.video is not None
        delete_video.sync_detailed(self.video.id, client=self.client)
        gone = retrieve_video.sync_detailed(self.video.id, client=self.client)
        if gone.status_code != 404:
            raise RoundTripError(f"a deleted video must be 404, got {gone.status_code}")

    # Each operation's step, in the order they run: the create first (the rest use its video).
    PLAN = (
        ("POST /videos", create),
        ("GET /videos/{video_id}", retrieve),
        ("GET /videos", list),
        ("POST /videos/extensions", extend),
        ("POST /videos/edits", edit),
        ("POST /videos/{video_id}/remix", remix),
        ("GET /videos/{video_id}/content", content),
        ("POST /videos/characters", character),
        ("DELETE /videos/{video_id}", delete),
    )


STEPS = len(_Steps.PLAN)  # the results the client part records, one per step
