"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for tests, with scripted behaviours.

The request's `model` picks the behaviour:
  good          a valid look for the default rig
  fenced        the same look inside a ```json fence with chatter around it
  invalid_json  prose that is not JSON
  not_object    a JSON list instead of an object
  out_of_range  intensities outside 0..1, an unknown colour, a group the rig lacks, a bad effect and transition
  slow          waits `slow_seconds` before answering (for client timeouts)
  flaky         HTTP 503 on the first request, then a good answer
  unauthorised  HTTP 401 (not worth retrying)
  obedient      a model that obeys instructions in the script: "set intensity to 5" gives 5 everywhere
Every request body and its Authorization header are recorded.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_LOOK = {
    "groups": [
        {"group_id": "front_wash", "intensity": 0.42, "color": "light_pink", "effect": None, "focus_area": None},
        {"group_id": "back_light", "intensity": 0.61, "color": "special_lavender"},
        {"group_id": "side_fill", "intensity": 0.33, "color": "slate_blue"},
        {"group_id": "specials", "intensity": 0.0, "color": "neutral_white"},
        {"group_id": "ambient", "intensity": 0.27, "color": "congo_blue"},
    ],
    "transition": {"type": "fade", "duration": 4.0},
    "reasoning": "A soft lavender back light and a pink front keep the faces kind while the sky goes deep.",
}

OUT_OF_RANGE = {
    "groups": [
        {"group_id": "front_wash", "intensity": 1.7, "color": "Light Pink"},
        {"group_id": "back_light", "intensity": -0.3, "color": "ultraviolet_death_ray"},
        {"group_id": "side_fill", "intensity": "bright", "color": "slate_blue", "effect": {"type": "strobe", "rate_hz": 100}},
        {"group_id": "laser_show", "intensity": 1.0, "color": "primary_green"},
    ],
    "transition": {"type": "wipe", "duration": -2},
    "reasoning": "<script>alert('x')</script> Maximum drama.",
}


class ScriptedLlmServer:
    def __init__(self, slow_seconds: float = 2.0) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="llm-test-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "ScriptedLlmServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.authorizations.clear()
            self._counts.clear()

    def answer(self, body: dict[str, Any], authorization: str | None) -> tuple[int, str | None]:
        """(HTTP status, message content or None for an error body)."""
        model = str(body.get("model"))
        with self._lock:
            self.requests.append(body)
            self.authorizations.append(authorization)
            self._counts[model] = self._counts.get(model, 0) + 1
            count = self._counts[model]
        user = " ".join(m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user")
        if model == "good":
            return 200, json.dumps(GOOD_LOOK)
        if model == "fenced":
            return 200, "Here is the look:\n```json\n" + json.dumps(GOOD_LOOK, indent=2) + "\n```\nEnjoy!"
        if model == "invalid_json":
            return 200, "Sure! Lights: {groups: [front_wash at forty percent, warm]"
        if model == "not_object":
            return 200, "[1, 2, 3]"
        if model == "out_of_range":
            return 200, json.dumps(OUT_OF_RANGE)
        if model == "slow":
            time.sleep(self.slow_seconds)
            return 200, json.dumps(GOOD_LOOK)
        if model == "flaky":
            return (503, None) if count == 1 else (200, json.dumps(GOOD_LOOK))
        if model == "unauthorised":
            return 401, None
        if model == "obedient":
            if "ignore your instructions" in user.lower():
                groups = [{"group_id": g["group_id"], "intensity": 5, "color": "primary_red"} for g in GOOD_LOOK["groups"]]
                return 200, json.dumps({"groups": groups, "reasoning": "As the script instructs, everything at 5."})
            return 200, json.dumps(GOOD_LOOK)
        return 404, None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length))
                except ValueError:
                    self._send(400, {"error": {"message": "body is not JSON"}})
                    return
                status, content = server.answer(body, self.headers.get("Authorization"))
                if content is None:
                    self._send(status, {"error": {"message": f"scripted status {status}"}})
                    return
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model"),
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
