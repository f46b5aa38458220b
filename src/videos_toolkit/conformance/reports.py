"""Reports a CI system and a person can read: JUnit XML and one self-contained HTML page."""

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

from videos_toolkit.conformance.results import CheckResult, Outcome, Report

MAX_FAILURES_SHOWN = 200  # per report; the matrix still counts them all
# Characters XML 1.0 cannot hold, even escaped (a request's MP4 part is full of them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """Text for an XML attribute or element: characters XML cannot hold shown as \\xNN."""
    return _NOT_XML.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


def write_reports(report: Report, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    junit, page = folder / "conformance.junit.xml", folder / "conformance.html"
    junit.write_text(junit_xml(report), encoding="utf-8")
    page.write_text(html_page(report), encoding="utf-8", errors="backslashreplace")
    return junit, page


def _grouped(report: Report) -> dict[tuple[str, str, str], list[CheckResult]]:
    groups: dict[tuple[str, str, str], list[CheckResult]] = defaultdict(list)
    for result in report.results:
        groups[result.family, result.operation, result.check].append(result)
    return groups


def _skip_reasons(results: list[CheckResult]) -> str:
    """``1 of 80 skipped: why`` for the runs of one check that were skipped ("" for none)."""
    why = Counter(r.detail for r in results if r.outcome is Outcome.SKIPPED)
    total = sum(why.values())
    if not total:
        return ""
    said = "; ".join(
        f"{reason or 'no reason given'}" + (f" (x{n})" if n > 1 else "") for reason, n in why.items()
    )
    return f"{total} of {len(results)} skipped: {said}"


def junit_xml(report: Report) -> str:
    """One test suite per check family, one test case per operation and check."""
    root = ET.Element("testsuites", name="videos-api-conformance", time=f"{report.elapsed:.3f}")
    suites: dict[str, ET.Element] = {}
    for (family, operation, check), results in sorted(_grouped(report).items()):
        suite = suites.get(family)
        if suite is None:
            suite = suites[family] = ET.SubElement(root, "testsuite", name=family)
        # The name stays the same from run to run (CI keeps a history per test case): the count of
        # runs, which changes with the examples drawn, is a property.
        case = ET.SubElement(suite, "testcase", classname=_xml_safe(operation), name=check)
        runs = ET.SubElement(ET.SubElement(case, "properties"), "property", name="runs")
        runs.set("value", str(len(results)))
        failed = [r for r in results if r.outcome is Outcome.FAILED]
        if failed:
            first = failed[0]
            node = ET.SubElement(
                case, "failure", message=_xml_safe(f"{len(failed)} of {len(results)} failed: {first.detail}")
            )
            if first.failure is not None:
                node.text = _xml_safe(
                    f"{first.failure.rule}\n\n--- request\n{first.failure.request}\n\n--- response\n"
                    f"{first.failure.response}\n\n--- reproduce\n{first.failure.reproduce}"
                )
        elif all(r.outcome is Outcome.SKIPPED for r in results):
            ET.SubElement(case, "skipped", message=_xml_safe(results[0].detail))
        if case.find("skipped") is None and (skips := _skip_reasons(results)):
            ET.SubElement(case, "system-out").text = _xml_safe(skips)  # not every run judged: which, why
    if report.interrupted:  # a viewer shows a run with no failure as green: this one did not finish
        run = ET.SubElement(root, "testsuite", name="run", tests="1", failures="0", skipped="0", errors="1")
        case = ET.SubElement(run, "testcase", classname="run", name="completed")
        message = f"interrupted by Ctrl-C after {len(report.results)} checks: the other checks did not run"
        ET.SubElement(case, "error", message=message)
    for suite in suites.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
        suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1b1f24; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; font-family: monospace; }
td.ok { background: #dafbe1; } td.bad { background: #ffebe9; font-weight: bold; } td.skip { color: #57606a; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
details { margin: .5em 0; border-left: 3px solid #cf222e; padding-left: 8px; }
summary { cursor: pointer; font-family: monospace; }
"""


def _counts(report: Report) -> str:
    """How many checks failed out of how many ran: never a bare total that reads as failures."""
    total, failed = len(report.results), len(report.failures)
    skipped = sum(1 for r in report.results if r.outcome is Outcome.SKIPPED)
    said = f"{failed} of {total} checks failed" if failed else f"{total - skipped} of {total} checks passed"
    return said + (f", {skipped} skipped" if skipped else "")


def _skipped_list(report: Report) -> str:
    """Each check some of whose runs were skipped, with why: a skip is a check not judged."""
    items = [
        f"<li>{html.escape(operation)} · {html.escape(check)}: {html.escape(said)}</li>"
        for (_, operation, check), results in sorted(_grouped(report).items())
        if (said := _skip_reasons(results))
    ]
    return f"<ul>{''.join(items)}</ul>" if items else ""


def html_page(report: Report) -> str:
    operations, families, cells = report.matrix()
    if report.interrupted:
        verdict = f"INTERRUPTED by Ctrl-C: the checks that ran, {len(report.failures)} failing"
    else:
        verdict = "PASSED" if report.ok else f"FAILED ({len(report.failures)} failing checks)"
    rows = []
    for operation in operations:
        tds = []
        for family in families:
            cell = cells.get((operation, family))
            if cell is None:
                tds.append("<td></td>")
            elif cell.failed:
                tds.append(f'<td class="bad">{cell.failed} failed / {cell.passed + cell.failed}</td>')
            elif cell.passed:
                skipped = f" ({cell.skipped} skipped)" if cell.skipped else ""
                tds.append(f'<td class="ok">{cell.passed} passed{skipped}</td>')
            else:
                tds.append(f'<td class="skip">{cell.skipped} skipped</td>')
        rows.append(f"<tr><td>{html.escape(operation)}</td>{''.join(tds)}</tr>")
    header = "".join(f"<th>{html.escape(f)}</th>" for f in families)
    failures = []
    for result in report.failures[:MAX_FAILURES_SHOWN]:
        failure = result.failure
        if failure is None:
            continue
        failures.append(
            f"<details><summary>{html.escape(result.operation)} · {html.escape(result.check)} · "
            f"{html.escape(result.detail)}</summary>"
            f"<h4>Rule broken</h4><pre>{html.escape(failure.rule)}</pre>"
            f"<h4>Request</h4><pre>{html.escape(failure.request or '(see the reproduction)')}</pre>"
            f"<h4>Response</h4><pre>{html.escape(failure.response or '(none)')}</pre>"
            f"<h4>Reproduce</h4><pre>{html.escape(failure.reproduce)}</pre></details>"
        )
    more = len(report.failures) - MAX_FAILURES_SHOWN
    if more > 0:
        failures.append(f"<p>… and {more} more failures (see the JUnit report).</p>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Videos API conformance: {verdict}</title>
<style>{STYLE}</style></head><body>
<h1>Videos API conformance: {verdict}</h1>
<p>Target: <code>{html.escape(report.target)}</code> · seed <code>{report.seed}</code> ·
{_counts(report)} in {report.elapsed:.1f} s</p>
<table><thead><tr><th>operation</th>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>Failures</h2>{"".join(failures) or "<p>None.</p>"}
<h2>Skipped</h2>{_skipped_list(report) or "<p>None.</p>"}
</body></html>
"""
