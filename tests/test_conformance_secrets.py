"""The API keys under test never reach a report: JUnit and HTML reports are CI artifacts, so the
requests they show carry ``Authorization: [Filtered]``, and a server that echoes a key back (in an
error message, say) has it filtered out of what the report quotes."""

import json
from typing import Any

from tests.test_conformance_strange_servers import FAST, lifespan_or_drained
from videos_toolkit.conformance.reports import write_reports
from videos_toolkit.conformance.runner import run
from videos_toolkit.conformance.target import IN_PROCESS_URL, Target
from videos_toolkit.spec import effective_spec

KEY, OTHER = "sk-secret-key-under-test-1111", "sk-secret-other-key-2222"


async def echoing_server(scope: dict, receive: Any, send: Any) -> None:
    """Refuses everything with 400, quoting the Authorization header it got in the message."""
    if await lifespan_or_drained(scope, receive, send):
        return
    auth = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    body = json.dumps(
        {
            "error": {
                "message": f"rejected {auth}",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        }
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"x-echo", auth.encode("latin-1"))]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_no_report_quotes_a_key_under_test(tmp_path):
    target = Target(IN_PROCESS_URL, KEY, OTHER, app=echoing_server, fuzz_app=echoing_server, wait_timeout=2)
    report = run(effective_spec(), target, FAST)
    assert report.failures  # the server fails, so the reports quote its requests and answers
    junit, page = write_reports(report, tmp_path)
    texts = {"junit": junit.read_text(), "html": page.read_text()}
    for result in report.failures:
        failure = result.failure
        texts[f"{result.check} detail"] = result.detail
        if failure is not None:
            texts[f"{result.check} failure"] = "\n".join(
                (failure.rule, failure.request, failure.response, failure.reproduce)
            )
    for where, text in texts.items():
        assert KEY not in text and OTHER not in text, f"a key is quoted in the {where}"
    # The requests the fuzzer sent are still shown, with the credential's header filtered.
    assert "authorization: [filtered]" in texts["junit"].lower()
    assert "rejected Bearer [Filtered]" in texts["junit"]


def test_a_short_test_key_is_filtered_only_where_it_stands_alone():
    from videos_toolkit.conformance.results import filtered

    text = 'Authorization: Bearer k\r\nConnection: keep-alive\r\nserver: kestrel\r\n{"key": "k"}'
    want = text.replace("Bearer k", "Bearer [Filtered]").replace('"k"}', '"[Filtered]"}')
    assert filtered(text, ["k"]) == want
    # A real key is filtered wherever it appears, glued to other text included.
    assert filtered("token=sk-abcdefgh123;", ["sk-abcdefgh"]) == "token=[Filtered]123;"
