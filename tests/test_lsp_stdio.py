"""One real session: `python -m hedgec lsp` spawned, JSON-RPC over its pipes,
every wait bounded by a timeout."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("pygls")

from conftest import SPECS  # noqa: E402

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()
URI = "file:///tmp/hedgec-lsp-stdio/strategy.hedge"
TIMEOUT = 20.0


class StdioClient:
    """An editor's side of the pipe: frames out, a reader thread parsing frames in."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "hedgec", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: queue.Queue = queue.Queue()
        self.ids = 0
        self.log: list[bytes] = []  # stderr, read as it comes so a full pipe never blocks the server
        self.readers = [threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            self.inbox.put(json.loads(out.read(int(headers["content-length"]))))

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params) -> dict:
        self.ids += 1
        self.send({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params})
        wanted = self.ids
        return self.wait(lambda m: m.get("id") == wanted and "method" not in m)

    def wait(self, wanted, timeout: float = TIMEOUT) -> dict:
        end = time.monotonic() + timeout
        while True:
            message = self.inbox.get(timeout=max(end - time.monotonic(), 0.01))
            assert message is not None, "the server closed its output"
            if wanted(message):
                return message

    def diagnostics(self, version: int) -> dict:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"].get("version") == version)["params"]

    def drain(self) -> list[dict]:
        found = []
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return found
            found.append(message)

    def close(self) -> tuple[int, str]:
        """Wait for the server to exit (killing it after the timeout): its exit code and log."""
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
            for reader in self.readers:
                reader.join(timeout=TIMEOUT)
            for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                pipe.close()
        return code, b"".join(self.log).decode()


@pytest.fixture
def session():
    client = StdioClient()
    yield client
    if client.proc.poll() is None:
        client.proc.kill()
    if not client.proc.stdin.closed:
        client.close()


def change(client: StdioClient, version: int, text: str) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version},
                                             "contentChanges": [{"text": text}]})


def test_a_stdio_session_from_start_to_exit(session):
    client = session
    init = client.request("initialize", {"processId": None, "rootUri": None,
                                         "capabilities": {"general": {"positionEncodings": ["utf-16"]}}})
    capabilities = init["result"]["capabilities"]
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["hoverProvider"] and capabilities["documentFormattingProvider"]
    assert capabilities["codeActionProvider"]
    client.notify("initialized", {})

    # diagnostics, in UTF-16 columns
    text = V2.replace("    order      = market", '    order = "😀😀😀" bogus')
    client.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "hedge", "version": 1,
                                                            "text": text}})
    [parse] = [d for d in client.diagnostics(1)["diagnostics"] if d["code"] == "H001"]
    assert parse["range"]["start"]["character"] == 21
    change(client, 2, V2)
    assert {d["severity"] for d in client.diagnostics(2)["diagnostics"]} <= {3}

    # bad positions: each request answered
    for position in ({"line": -1, "character": 0}, {"line": 2**31, "character": 0},
                     {"line": 2**53, "character": 0}, {"line": "a", "character": 0}):
        answer = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": position})
        assert answer["error"]["code"] == -32602

    # malformed frames, then a valid request is answered
    client.send_raw(b"garbage without a header")
    client.send_raw(b"Content-Length: abc\r\n\r\n{}")
    client.send_raw(b'{"jsonrpc": "2.0", "id": 999, "method": "shutdown"}')  # no header at all
    client.send_raw(b"Content-Length: 99999\r\n\r\n{")  # a length far past the body
    hover = client.request("textDocument/hover", {"textDocument": {"uri": URI},
                                                  "position": {"line": V2.split("\n").index("  perp hedge {"),
                                                               "character": 8}})
    assert "- liquidation price: 5,825.24 USDC" in hover["result"]["contents"]["value"]
    client.send_raw(b'Content-Length: 3\n\n{"a')  # LF-only and cut short: a parse error, answered with id null
    assert client.wait(lambda m: m.get("id") is None and "error" in m)["error"]["code"] == -32700
    assert client.request("textDocument/formatting", {"textDocument": {"uri": URI},
                                                      "options": {"tabSize": 2, "insertSpaces": True}}) \
        ["result"] == []  # formatted already: no edit

    # a burst of changes: checked at its end, not once per change
    client.drain()
    for version in range(3, 203):
        change(client, version, V2.replace("leverage   = 1x", f"leverage   = {1 + version % 3}x"))
    seen: list[dict] = []
    client.wait(lambda m: seen.append(m) or m["params"].get("version") == 202
                if m.get("method") == "textDocument/publishDiagnostics" else False)
    time.sleep(0.5)
    seen += client.drain()
    versions = [m["params"]["version"] for m in seen if m.get("method") == "textDocument/publishDiagnostics"]
    assert versions[-1] == 202 and len(versions) <= 3, versions  # 200 changes, checked at most a few times

    # and a clean exit
    assert client.request("shutdown", None)["result"] is None
    client.notify("exit", {})
    code, log = client.close()
    assert code == 0
    # the garbage, the frame with `Content-Length: abc` and the headerless message, skipped as one
    assert "hedgec lsp: WARNING: skipped 100 bytes that were not a message frame" in log
    assert "dropped a frame whose Content-Length (99999) ran past the next frame" in log

