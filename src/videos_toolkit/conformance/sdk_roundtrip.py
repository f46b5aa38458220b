"""The official openai SDK's round trip: the calls a team's code makes through ``openai``'s
``client.videos`` (create and poll, retrieve, list, each download variant, remix, extend and edit by
upload, characters, delete) against the target, with the SDK's strict response validation on.

A provider's customers point that SDK at its server, so an answer the SDK's models cannot read, or
a call the server answers otherwise than the SDK expects, shows here and nowhere else: the contract
checks judge the wire, the client round trip the generated client. Skipped, with its reason, when
the ``openai`` package is not installed.
"""

import io
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

from videos_toolkit.conformance.properties import JOB_ATTEMPTS, Enums, first_not_failed
from videos_toolkit.conformance.request_bodies import RequiredFields
from videos_toolkit.conformance.results import CheckResult, Outcome
from videos_toolkit.conformance.roundtrip import RoundTripError, run_steps
from videos_toolkit.conformance.target import PENDING, Target, WaitTimeout
from videos_toolkit.mock.transport import openai_transport

FAMILY = "openai sdk"
CHECK = "openai_sdk_round_trip"
# The download variants the SDK's download_content takes (a Literal): a contract change may add more.
SDK_VARIANTS = ("video", "thumbnail", "spritesheet")
POLL_S = 0.5


def run_sdk_round_trip(target: Target, spec: dict[str, Any], record: Callable[[CheckResult], None]) -> None:
    try:
        import openai
    except ImportError:
        for operation, _ in _SdkSteps.PLAN:
            why = "the openai package is not installed (pip install openai)"
            record(CheckResult(operation, FAMILY, CHECK, Outcome.SKIPPED, detail=why))
        return
    answers: list[Any] = []  # the step's answers: a failure shows the latest
    sent: list[Any] = []  # and its requests, retries included
    transport = openai_transport(target.app) if target.in_process else None
    hooks = {"request": [sent.append], "response": [answers.append, _no_retry_of_failures]}
    http = openai.DefaultHttpxClient(transport=transport, timeout=target.request_timeout, event_hooks=hooks)
    client = openai.OpenAI(
        api_key=target.api_key,
        base_url=target.base_url,
        http_client=http,
        max_retries=5,  # 429 and 503 waited out as the server asks, as the SDK does for its users
        _strict_response_validation=True,  # an answer its models cannot read fails, not passes quietly
    )
    # Lists pages of every video of the key, earlier parts' too: read as the SDK reads them by
    # default (not strictly), since a video the contract allows and the SDK's types do not know (a
    # size a fork added) is no fault of the server's; the round trip's own video is read strictly.
    lenient = openai.OpenAI(api_key=target.api_key, base_url=target.base_url, http_client=http, max_retries=5)
    required = RequiredFields.from_spec(spec)
    steps = _SdkSteps(client, target, Enums.from_spec(spec), required, sent, answers, lenient)
    with client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's notice that the API is deprecated
        run_steps(steps.plan(), spec, target, answers, record, part="sdk", family=FAMILY, check=CHECK)


def _no_retry_of_failures(response: Any) -> None:
    """A 5xx other than 503 fails its step whatever a retry answers, so the SDK is told (by the
    header it obeys) not to retry it: against a server failing everything, its backoff made each
    step wait about 15 s for a verdict already given."""
    if response.status_code >= 500 and response.status_code != 503:
        response.headers["x-should-retry"] = "false"


class _SdkSteps:
    def __init__(
        self,
        client: Any,
        target: Target,
        enums: Enums,
        required: RequiredFields,
        sent: list[Any],
        answers: list[Any],
        lenient: Any,
    ) -> None:
        self.client, self.target, self.enums, self.lenient = client, target, enums, lenient
        self.required = required
        self.sent, self.answers = sent, answers
        self.video: Any = None

    def plan(self) -> list[tuple[str, Callable[[], None]]]:
        return [(operation, self._judged(partial(step, self))) for operation, step in self.PLAN]

    def _judged(self, step: Callable[[], None]) -> Callable[[], None]:
        """The step, failed also when the SDK's retries hid a server failure. Only 429 and 503
        are the contract's "come back later": any other 5xx fails the step (a customer's SDK
        retries it, so their call is slowed or fails), and so does a request left unanswered,
        though a retry may have got an answer."""

        def judged() -> None:
            self.sent.clear()
            try:
                step()
            except Exception as exc:
                if failed := self._server_failure():
                    raise failed from exc
                raise
            if failed := self._server_failure():
                raise failed
            if (unanswered := len(self.sent) - len(self.answers)) > 0:
                raise RoundTripError(
                    f"{unanswered} of the step's requests got no answer within --request-timeout "
                    f"({self.target.request_timeout:g} s); the SDK retried"
                )

        return judged

    def _server_failure(self) -> RoundTripError | None:
        failed = [a for a in self.answers if a.status_code >= 500 and a.status_code != 503]
        if not failed:
            return None
        self.answers.append(failed[0])  # a failure shows the latest answer: this one
        return RoundTripError(
            f"the server answered {failed[0].status_code} to {failed[0].request.method} "
            f"{failed[0].request.url.path}: a 5xx other than 503 is a failure (the SDK retries it, "
            "so a customer's call is slowed or fails)"
        )

    def _required(self, path: str, *given: str, form: str = "multipart") -> dict[str, Any] | None:
        """The fields the contract requires of this body that the call does not send itself (a
        contract change may add one), as a customer would send them: ``extra_body``."""
        extra = {k: v for k, v in self.required.extra(path, form).items() if k not in given}
        return extra or None

    def _upload(self, name: str) -> tuple[str, io.BytesIO, str]:
        return name, io.BytesIO(self.target.uploads.clip("720x1280", 4)[0]), "video/mp4"

    def create(self) -> None:
        videos = self.client.videos

        def job() -> Any:
            video = videos.create(
                prompt="A paper boat drifting down a rainy street",
                seconds=self.enums.create_seconds[0],
                extra_body=self._required("/videos", "prompt", "seconds"),
            )
            waited = 0.0
            while video.status in PENDING:  # as create_and_poll does, within --wait-timeout
                if waited > self.target.wait_timeout:
                    raise WaitTimeout(
                        f"video {video.id} still {video.status} after {self.target.wait_timeout:g} s"
                    )
                self.target.pause(POLL_S)
                waited += POLL_S
                video = videos.retrieve(video.id)
            return video

        self.video = first_not_failed(job, lambda video: video.status)
        if self.video.status != "completed":
            raise RoundTripError(f"the created video ended {self.video.status} ({JOB_ATTEMPTS} tries)")

    def retrieve(self) -> None:
        if self.client.videos.retrieve(self.video.id).id != self.video.id:
            raise RoundTripError("retrieve returned another video")

    def list(self) -> None:
        """The new video is listed within the SDK's auto-pagination's first pages, as the SDK's
        model reads it strictly."""
        import openai.types

        for seen, video in enumerate(self.lenient.videos.list(limit=100)):
            if video.id == self.video.id:
                openai.types.Video.model_validate(video.to_dict())
                return
            if seen >= 500:
                break
        raise RoundTripError("the new video is not among the first 500 the SDK's auto-pagination lists")

    def content(self) -> None:
        for variant in [v for v in self.enums.variants or SDK_VARIANTS if v in SDK_VARIANTS]:
            if not self.client.videos.download_content(self.video.id, variant=variant).content:
                raise RoundTripError(f"download_content(variant={variant!r}) answered no bytes")
        if not self.client.videos.download_content(self.video.id).content:
            raise RoundTripError("download_content() without a variant answered no bytes")

    def remix(self) -> None:
        remixed = self.client.videos.remix(
            self.video.id,
            prompt="Same scene, in watercolour",
            extra_body=self._required(f"/videos/{self.video.id}/remix", "prompt", form="json"),
        )
        if remixed.remixed_from_video_id != self.video.id:
            raise RoundTripError("remix must set remixed_from_video_id to the source")

    def extend(self) -> None:
        # By upload: the SDK cannot send a reference ({"id": ...}) to extend or edit.
        extra = self.enums.extension_seconds[0]
        video = self.client.videos.extend(
            prompt="The boat reaches the harbour",
            seconds=extra,
            video=self._upload("clip.mp4"),
            extra_body=self._required("/videos/extensions", "prompt", "seconds", "video"),
        )
        uploaded = self.target.uploads.clip("720x1280", 4)[1]
        if video.seconds != str(uploaded + int(extra)):
            raise RoundTripError(
                f"extending a {uploaded} s upload by {extra} s answered seconds={video.seconds!r}"
            )

    def edit(self) -> None:
        self.client.videos.edit(
            prompt="Make it night",
            video=self._upload("clip.mp4"),
            extra_body=self._required("/videos/edits", "prompt", "video"),
        )

    def character(self) -> None:
        made = self.client.videos.create_character(
            name="Captain",
            video=self._upload("captain.mp4"),
            extra_body=self._required("/videos/characters", "name", "video"),
        )
        if made.id:
            self.client.videos.get_character(made.id)

    def delete(self) -> None:
        import openai

        if self.client.videos.delete(self.video.id).deleted is not True:
            raise RoundTripError("delete must answer deleted: true")
        try:
            self.client.videos.retrieve(self.video.id)
        except openai.NotFoundError:
            return
        raise RoundTripError("a deleted video must be 404 (the SDK's NotFoundError)")

    # Each operation's step, in the order they run: the create first (the rest use its video).
    PLAN = (
        ("POST /videos", create),
        ("GET /videos/{video_id}", retrieve),
        ("GET /videos", list),
        ("GET /videos/{video_id}/content", content),
        ("POST /videos/{video_id}/remix", remix),
        ("POST /videos/extensions", extend),
        ("POST /videos/edits", edit),
        ("POST /videos/characters", character),
        ("DELETE /videos/{video_id}", delete),
    )


STEPS = len(_SdkSteps.PLAN)  # the results the sdk part records, one per step
