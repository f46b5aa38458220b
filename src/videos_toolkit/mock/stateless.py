"""Stateless mode (``--stateless``): every valid, authenticated request is answered with its
operation's documented success example, whatever the ids (as Prism and Steady do), and the content
operation with generated media. Invalid requests are still rejected (auth and validation against
the contract run before this). Only what the contract itself says is checked: the stateful
served-models rule does not apply here, because ``model`` is an open string in the contract and
SDK test suites written for Prism-style mocks send names such as ``"string"``.
"""

from starlette.responses import Response

from videos_toolkit.mock import media
from videos_toolkit.mock.contract_answers import contract_answer, json_answer
from videos_toolkit.mock.handlers import Call, ContractFacts, Handler
from videos_toolkit.mock.operations import SpecIndex

CONTENT_OPERATION = "downloadVideoContent"


class StatelessApi:
    def __init__(self, index: SpecIndex) -> None:
        self.facts = ContractFacts(index)
        self.handlers: dict[str, Handler] = {
            op_id: contract_answer(index, operation) for op_id, operation in index.operations.items()
        }
        # Media are shaped like the retrieve example (its size and seconds).
        retrieve = index.operations.get("retrieveVideo")
        video = (json_answer(index, retrieve) if retrieve else None) or {}
        self._size = video.get("size", self.facts.defaults["size"])
        self._seconds = int(video.get("seconds", self.facts.defaults["seconds"]))
        if content := index.operations.get(CONTENT_OPERATION):
            self._variant_default = next((p.default for p in content.params if p.name == "variant"), "video")
            self.handlers[CONTENT_OPERATION] = self.download_content

    async def download_content(self, call: Call) -> Response:
        variant = call.query.get("variant", self._variant_default)
        content, content_type = media.asset(variant, self._size, self._seconds)
        return Response(content, media_type=content_type)
