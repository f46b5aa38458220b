"""Multipart bodies as the mock reads them, part by part while the body arrives, with the
``multipart`` library's push parser (about a fifth of what Starlette's form parser costs on an
extend's three parts: see bench/CHANGES.md).

A part with a ``filename`` is a file: its bytes go to a spooled temporary file (memory up to
1 MiB, disk beyond). Any other part is a text field, and must be UTF-8 (Starlette would read it as
Latin-1). A body cut off before its closing boundary is refused, not read as the parts that came.
"""

import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO, Any

import multipart

from videos_toolkit.mock.errors import shown

SPOOL_IN_MEMORY = 1 << 20
# A text field is held in memory: past this it is refused while it arrives (a prompt is at most
# 32,000 characters), as Starlette's parser did, instead of buffering up to the upload limit.
MAX_TEXT_FIELD = 1 << 20


class FormError(Exception):
    """A body that cannot be read as multipart form data; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(eq=False)
class UploadedPart:
    """A multipart file part (a part with a ``filename``)."""

    filename: str | None
    content_type: str | None
    size: int
    _file: IO[bytes] = field(repr=False)

    @property
    def file(self) -> IO[bytes]:
        """The part's bytes, from the start."""
        self._file.seek(0)
        return self._file


@dataclass
class Form:
    """The parts in the order they came: (name, text) or (name, file)."""

    items: list[tuple[str, str | UploadedPart]] = field(default_factory=list)

    def close(self) -> None:
        for _, value in self.items:
            if isinstance(value, UploadedPart):
                value._file.close()


async def read_form(
    content_type: str, chunks: AsyncIterator[bytes], *, max_files: int, max_fields: int
) -> Form:
    """Read a ``multipart/form-data`` body from its chunks; a ``FormError`` says what is wrong with
    it. Whatever is raised (the body stream's own errors too), no spooled file is left open."""
    _, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise FormError("the Content-Type header has no boundary parameter")
    form = Form()
    reader = _PartReader(form, max_files=max_files, max_fields=max_fields)
    try:
        parser = multipart.PushMultipartParser(boundary, max_segment_count=max_files + max_fields)
        async for chunk in chunks:
            for event in parser.parse(chunk):
                reader.feed(event)
        if not _complete(parser):
            if reader.segment is None:
                raise FormError(
                    f"no whole part starts with the boundary its Content-Type names ({boundary!r}): "
                    "the body is not multipart, or it was cut off"
                )
            raise FormError("it ends before its closing boundary; the upload was cut off")
    except BaseException as exc:
        reader.discard()
        form.close()
        if isinstance(exc, multipart.MultipartError):
            # The library's words alone ("Segment header failed to decode"), not its tuple of
            # arguments with the decoder's exception in it.
            words = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            raise FormError(words + _HINTS.get(words, "")) from exc
        raise
    return form


# What to do about the library's own words, where they do not say it.
_CRLF = " (every line of a multipart body, its boundary lines and part headers, ends in CRLF: \\r\\n)"
_HINTS = {
    "Invalid line break after first boundary": _CRLF,
    "Invalid line break in segment header": _CRLF,
    "Unexpected byte after first boundary": (
        " (a boundary line ends right after the boundary: is the Content-Type's boundary the one"
        " the body uses?)"
    ),
    "Unexpected bytes after boundary": (
        " (a part's data holds a line starting with the boundary: pick a boundary that occurs"
        " nowhere in the data)"
    ),
    "Segment header failed to decode": " (part headers are read as UTF-8)",
}


def _complete(parser: multipart.PushMultipartParser) -> bool:
    try:
        parser.close(check_complete=True)
    except multipart.MultipartError:
        return False
    return True


class _PartReader:
    """Turns the parser's events (a part's headers, its bytes, its end) into the form's items."""

    def __init__(self, form: Form, *, max_files: int, max_fields: int) -> None:
        self.form, self.max_files, self.max_fields = form, max_files, max_fields
        self.files = self.fields = 0
        self.segment: Any = None
        self.text: list[bytes] = []
        self.spool: IO[bytes] | None = None

    def feed(self, event: Any) -> None:
        if isinstance(event, multipart.MultipartSegment):
            self._begin(event)
        elif event:
            if self.spool is not None:
                self.spool.write(event)
                return
            self.text.append(event)
            if self.segment.bytes_received > MAX_TEXT_FIELD:
                raise FormError(
                    f"the text field {shown(self.segment.name)} is over {MAX_TEXT_FIELD >> 20} MiB; "
                    "a file goes in a part with a filename",
                    field=self.segment.name,
                )
        elif event is None:
            self._end()

    def _begin(self, segment: Any) -> None:
        self.segment, self.text = segment, []
        if not segment.name:
            raise FormError("a part has no name in its Content-Disposition header")
        if segment.filename is None:
            self.fields += 1
            if self.fields > self.max_fields:
                raise FormError(f"too many fields; at most {self.max_fields} are read")
            return
        self.files += 1
        if self.files > self.max_files:
            raise FormError(f"too many files; at most {self.max_files} are read")
        # Closed by Form.close() once the request is answered, or by discard() when reading fails.
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115

    def _end(self) -> None:
        segment = self.segment
        if self.spool is not None:
            part = UploadedPart(segment.filename, segment.content_type, segment.size, self.spool)
            self.spool = None
            self.form.items.append((segment.name, part))
            return
        try:
            text = b"".join(self.text).decode("utf-8")
        except UnicodeDecodeError:
            message = (
                f"the text field {shown(segment.name)} is not valid UTF-8 (a part without a filename is "
                f"a text field; send a file with one, as curl -F '{segment.name}=@clip.mp4' does)"
            )
            raise FormError(message, field=segment.name) from None
        self.form.items.append((segment.name, text))

    def discard(self) -> None:
        """Close the file of a part left unfinished."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None
