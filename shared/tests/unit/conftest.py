import io
import sys
from collections.abc import Callable, Iterator
from typing import Literal

import pytest

from crm_shared.logging import configure_logging, flush_logs
from crm_shared.settings import LogSettings

Configure = Callable[..., Callable[[], str]]


@pytest.fixture
def capture_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Configure]:
    """`capture_logs(log_format, **log_settings)` configures logging onto a fresh stderr and returns a
    function that flushes the writer and gives what was written. Logging is set back to defaults after."""

    def configure(log_format: Literal["json", "console"] = "json", **options: object) -> Callable[[], str]:
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stderr", stream)
        configure_logging(service="tests", log_format=log_format, options=LogSettings(**options))

        def written() -> str:
            assert flush_logs(timeout_s=30)
            return stream.getvalue()

        return written

    yield configure
    flush_logs(timeout_s=30)
    monkeypatch.undo()
    configure_logging(service="tests", log_format="console")
