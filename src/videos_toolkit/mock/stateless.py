"""Stateless mode (``--stateless``): every valid, authenticated request is answered with its
operation's documented success example, whatever the ids (as Prism and Steady do), and the content
operation with generated media. Invalid requests are still rejected (auth and validation against
the contract run before this). Only what the contract itself says is checked: the stateful
served-models rule does not apply here, because ``model`` is an open string in the contract and
SDK test suites written for Prism-style mocks send names such as ``"string"``.
"""

from typing import Any

from starlette.responses import Response

from videos_toolkit.mock import media
from videos_toolkit.mock.handlers import Call, ContractFacts, Handler, json_response
from videos_toolkit.mock.operations import SpecIndex, pointer_get, resolve


def first_example(index: SpecIndex, schema_pointer: str) -> Any:
    """The first example of the media object owning ``schema_pointer`` (``examples``, then ``example``)."""
    media_object = pointer_get(index.spec, schema_pointer.removesuffix("/schema"))
    for item in media_object.get("examples", {}).values():
        example, _ = resolve(index.spec, item, "")
        if "value" in example:
            return example["value"]
    return media_object.get("example")


class StatelessApi:
    def __init__(self, index: SpecIndex) -> None:
        self.facts = ContractFacts(index)
        self.handlers: dict[str, Handler] = {}
        self.examples: dict[str, Any] = {}
        for operation in index.operations.values():
            success = operation.responses.get("200") or operation.responses.get("201")
            pointer = next((p for p in (success.content.values() if success else ()) if p), None)
            if pointer is None:
                continue  # not a JSON answer (content): handled below
            example = first_example(index, pointer)
            if example is None:
                raise ValueError(f"{operation.operation_id}: the contract has no example to answer with")
            self.examples[operation.operation_id] = example
            self.handlers[operation.operation_id] = self._answer_with(example)
        # Media are shaped like the retrieve example (its size and seconds).
        video = self.examples.get("retrieveVideo") or {}
        self._size = video.get("size", self.facts.defaults["size"])
        self._seconds = int(video.get("seconds", self.facts.defaults["seconds"]))
        params = index.operations["downloadVideoContent"].params
        self._variant_default = next((p.default for p in params if p.name == "variant"), "video")
        self.handlers["downloadVideoContent"] = self.download_content

    @staticmethod
    def _answer_with(example: Any) -> Handler:
        async def answer(call: Call) -> Response:
            return json_response(example)

        return answer

    async def download_content(self, call: Call) -> Response:
        variant = call.query.get("variant", self._variant_default)
        content, content_type = media.asset(variant, self._size, self._seconds)
        return Response(content, media_type=content_type)
