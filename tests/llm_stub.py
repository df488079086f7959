"""A minimal OpenAI-compatible chat server on loopback, serving queued replies.

It speaks just enough of ``POST /v1/chat/completions`` (streamed as server-sent
events, or whole) and ``GET /v1/models`` for the real ``langchain-openai``
client, so tests exercise the HTTP path, streaming and the checks without a
model. Every request body is recorded in ``requests``.

    with OpenAIStub(["Member States act [OP 2]."]) as stub:
        llm = openai_compatible_llm(stub.base_url, "stub-model")
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class OpenAIStub:
    """Serve ``replies`` in order on ``127.0.0.1`` (a free port); ``status`` forces an HTTP error."""

    def __init__(self, replies: Iterable[str] = (), *, chunk_chars: int = 6, status: int = 200) -> None:
        self.replies: deque[str] = deque(replies)
        self.chunk_chars = chunk_chars
        self.status = status
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "stub-model", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(request)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                if stub.status != 200:
                    self._json(stub.status, {"error": {"message": "stub failure", "type": "server_error"}})
                    return
                reply = stub.replies.popleft() if stub.replies else "The passages do not answer this question."
                model = request.get("model", "stub-model")
                if request.get("stream"):
                    self._stream(reply, model)
                else:
                    self._json(200, {
                        "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _stream(self, reply: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()

                def event(delta: dict[str, Any], finish: str | None = None) -> None:
                    chunk = {
                        "id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()

                event({"role": "assistant", "content": ""})
                for start in range(0, len(reply), stub.chunk_chars):
                    event({"content": reply[start : start + stub.chunk_chars]})
                event({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="openai-stub", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
