"""Test-only (test_process_cleanup puts this folder on a child's PYTHONPATH): holds back
uvicorn's signal handlers by LLM_ROUTER_TEST_HANDLER_DELAY_S seconds, and writes
``uvicorn caught signal N`` when its handler is the one that caught a signal. A process
that says it is ready before the handlers are in place is then caught out every time,
not once in a while under load. The variable is removed here, so children of that
process run without the delay."""

import os

_delay = os.environ.pop("LLM_ROUTER_TEST_HANDLER_DELAY_S", None)

if _delay is not None:
    import contextlib
    import time
    from collections.abc import Iterator
    from types import FrameType

    from uvicorn.server import Server

    _capture_signals = Server.capture_signals
    _handle_exit = Server.handle_exit

    @contextlib.contextmanager
    def _late_capture(self: Server) -> Iterator[None]:
        time.sleep(float(_delay))
        with _capture_signals(self):
            yield

    def _handle_exit_and_say(self: Server, sig: int, frame: FrameType | None) -> None:
        os.write(1, f"uvicorn caught signal {sig}\n".encode())  # no buffer lock in a handler
        _handle_exit(self, sig, frame)

    Server.capture_signals = _late_capture  # type: ignore[method-assign]
    Server.handle_exit = _handle_exit_and_say  # type: ignore[method-assign]
