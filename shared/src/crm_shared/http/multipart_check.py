"""Multipart forms checked as they stream through, never buffered: each text field's value, and the names
and file names of every part, must be free of forbidden characters. File contents are the route's to
check (an import reports a bad cell by row and column)."""

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

from crm_shared.http.characters import FieldError, field_error, forbidden_in_bytes, printable


class InputRefused(HTTPException):
    """Raised while the route reads the body: the edge found fields that no route may store. An
    HTTPException, so that FastAPI's own body reading lets it through unchanged."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(422, f"{len(errors)} refused field(s)")
        self.errors = errors


class MultipartFieldCheck:
    def __init__(self, receive: Receive, boundary: bytes) -> None:
        self._receive = receive
        self._errors: list[FieldError] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._parser: MultipartParser | None = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": lambda d, s, e: self._header_name.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
            },
        )

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request" and self._parser is not None:
            try:
                self._parser.write(message.get("body", b""))
            except FormParserError:
                self._parser = None  # malformed: the route's own parser says so
            if self._errors:
                raise InputRefused(self._errors)
        return message

    def _part_begin(self) -> None:
        self._disposition, self._name, self._is_file = b"", "", False

    def _header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"")
        self._name = printable(name.decode("utf-8", "replace")) or "file"
        if message := forbidden_in_bytes(name):
            self._errors.append(field_error(f"body.{self._name}", f"the name {message}"))
        filename = options.get(b"filename")
        self._is_file = filename is not None
        if filename is not None and (message := forbidden_in_bytes(filename)):
            self._errors.append(field_error(f"body.{self._name}", f"the file name {message}"))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file or any(e["field"] == f"body.{self._name}" for e in self._errors):
            return
        if message := forbidden_in_bytes(data[start:end]):
            self._errors.append(field_error(f"body.{self._name}", message))
