"""An HTTP proxy in front of the real API that fails the first requests on purpose.

Each queued fault answers one request instead of the API: a status code (502/503/504/500) gets the API's
JSON error envelope, "drop" closes the connection without answering. Once the queue is empty, requests
are forwarded unchanged (or through `rewrite`, which mutation_check.py sets). Every request is recorded in
`seen`. It lets the SDK's retries be shown against real HTTP failures, without touching the SDK.
"""
from __future__ import annotations

import http.client
import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Optional, Union
from urllib.parse import urlparse

DROP = "drop"
Fault = Union[int, str]
# Rewrites a forwarded answer: (method, path, status, body) -> (status, body).
ResponseRewrite = Callable[[str, str, int, bytes], "tuple[int, bytes]"]

ERROR_CODES = {500: "internal_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"}


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    answered_with: Fault | None  # None: forwarded to the API


class FaultProxy:
    def __init__(self, upstream: str = "") -> None:
        self.upstream = urlparse(upstream)
        self.rewrite: Optional[ResponseRewrite] = None
        self.faults: deque[Fault] = deque()
        self.seen: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail_next(self, faults: Iterable[Fault]) -> None:
        with self._lock:
            self.faults.clear()
            self.faults.extend(faults)
            self.seen.clear()

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _take_fault(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Fault | None:
        with self._lock:
            fault = self.faults.popleft() if self.faults else None
            self.seen.append(SeenRequest(method, path, headers, body, fault))
            return fault

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            forwarded = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(method, path, body=body if body or method in ("POST", "PUT", "PATCH") else None, headers=forwarded)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                fault = proxy._take_fault(self.command, self.path, headers, body)
                if fault == DROP:
                    self.close_connection = True
                    return
                if isinstance(fault, int):
                    envelope = {"error": ERROR_CODES.get(fault, "error"), "message": f"injected {fault}", "messages": []}
                    self._reply(fault, [("Content-Type", "application/json")], json.dumps(envelope).encode())
                    return
                status, response_headers, response_body = proxy._forward(self.command, self.path, headers, body)
                if proxy.rewrite is not None:
                    status, response_body = proxy.rewrite(self.command, self.path, status, response_body)
                kept = [(k, v) for k, v in response_headers if k.lower() not in HOP_BY_HOP]
                self._reply(status, kept, response_body)

            def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *_: object) -> None:
                pass

        return Handler
