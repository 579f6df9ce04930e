"""The language server, driven in-process through pygls's JSON-RPC protocol."""
from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("pygls")

from conftest import SPECS  # noqa: E402
from hedgec.cli import lsp_server  # noqa: E402
from hedgec.compiler.catalog import load_catalog  # noqa: E402

V2 = (SPECS / "eth-usdc-v2-neutral.hedge").read_text()
URI = "file:///tmp/hedgec-lsp/strategy.hedge"


class Client:
    """Sends JSON-RPC messages to a server and keeps what it writes back."""

    def __init__(self):
        self.server = lsp_server.build_server()
        self.sent: list[dict] = []
        self.server.protocol.set_writer(self, include_headers=False)
        self.ids = 0
        self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        self.notify("initialized", {})

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data))

    def close(self) -> None:
        pass

    def send(self, message: dict) -> None:
        """Through the same door as a message read from stdio."""
        lsp_server.receive(self.server.protocol, json.dumps(message).encode())

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def call(self, method: str, params) -> dict:
        """The one response to a request: {"result": ...} or {"error": ...}."""
        self.ids += 1
        self.send({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params})
        answers = [m for m in self.sent if m.get("id") == self.ids]
        assert len(answers) == 1, answers
        return answers[0]

    def request(self, method: str, params: dict):
        return self.call(method, params)["result"]

    def open(self, text: str, uri: str = URI) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "hedge", "version": 1,
                                                              "text": text}})

    def published(self) -> list[dict]:
        return [m["params"] for m in self.sent if m.get("method") == "textDocument/publishDiagnostics"]


@pytest.fixture
def client():
    return Client()


def position_of(text: str, needle: str, offset: int = 0) -> dict:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return {"line": line, "character": index - (text.rfind("\n", 0, index) + 1)}


def test_diagnostics_are_published_for_a_broken_document(client):
    client.open(V2.replace("from    = main\n  }\n\n  perp", "from    = mian\n  }\n\n  perp"))
    published = client.published()[-1]
    assert published["uri"] == URI
    unknown = [d for d in published["diagnostics"] if d["code"] == "H107"]
    assert len(unknown) == 1 and "mian" in unknown[0]["message"] and "did you mean `main`" in unknown[0]["message"]
    assert unknown[0]["severity"] == 1 and unknown[0]["source"] == "hedgec"
    # 0-based: the `from` of the pool is on line 26 of the file (line index 25)
    assert unknown[0]["range"]["start"]["line"] == V2.split("\n").index("    from    = main", 20)


def test_fixing_the_document_clears_its_diagnostics(client):
    client.open("strategy s {\n  horizon = \n}\n")
    assert [d["code"] for d in client.published()[-1]["diagnostics"]] == ["H001"]
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2},
                                             "contentChanges": [{"text": V2}]})
    # only information remains (the premium of each cover leg): no errors (1) or warnings (2)
    assert {d["severity"] for d in client.published()[-1]["diagnostics"]} <= {3}


def test_completion_offers_collateral_inside_a_perp_block(client):
    text = V2.replace("    collateral = 10000 USDC\n", "    \n")
    client.open(text)
    at = position_of(text, "    \n    leverage", 4)
    items = client.request("textDocument/completion", {"textDocument": {"uri": URI}, "position": at})["items"]
    labels = {i["label"] for i in items}
    assert "collateral" in labels and "leverage" in labels
    assert "deposit" not in labels  # a pool key


def test_completion_offers_venues_after_venue_equals(client):
    text = V2.replace("venue      = dydx", "venue      = ")
    client.open(text)
    at = position_of(text, "venue      = ", len("venue      = "))
    labels = [i["label"] for i in client.request("textDocument/completion",
                                                 {"textDocument": {"uri": URI}, "position": at})["items"]]
    perp_venues = sorted(v.name for v in load_catalog().venues.values() if v.kind == "perp")
    assert labels == perp_venues and "dydx" in labels and "uniswap_v2" not in labels


def test_completion_offers_the_markets_of_the_blocks_venue():
    text = V2.replace("market     = ETH-USD", "market     = ")
    at = position_of(text, "market     = ", len("market     = "))
    labels = {c.label for c in lsp_server.completions(text, at["line"], at["character"], load_catalog())}
    assert "ETH-USD" in labels and labels == set(load_catalog().venue("dydx").markets)
    unset = text.replace("    venue      = dydx\n", "")  # no venue yet: the markets of every perp venue
    at = position_of(unset, "market     = ", len("market     = "))
    offered = lsp_server.completions(unset, at["line"], at["character"], load_catalog())
    perp_markets = {m for v in load_catalog().venues.values() if v.kind == "perp" for m in v.markets}
    perp_venues = {v.name for v in load_catalog().venues.values() if v.kind == "perp"}
    assert {c.label for c in offered} == perp_markets
    assert {c.detail for c in offered} == {f"perp market on {v}" for v in perp_venues}


def test_completion_of_references_names_blocks_of_the_right_kind():
    text = V2.replace("hedges     = lp", "hedges     = ")
    at = position_of(text, "hedges     = ", len("hedges     = "))
    labels = [c.label for c in lsp_server.completions(text, at["line"], at["character"], load_catalog())]
    assert labels == ["lp"]


def test_definition_of_hedges_jumps_to_the_pool(client):
    client.open(V2)
    at = position_of(V2, "hedges     = lp", len("hedges     = l"))
    found = client.request("textDocument/definition", {"textDocument": {"uri": URI}, "position": at})
    pool = position_of(V2, "pool lp {", len("pool "))
    assert found["uri"] == URI
    assert found["range"]["start"] == pool
    assert found["range"]["end"] == {"line": pool["line"], "character": pool["character"] + 2}


def test_no_definition_for_a_plain_value(client):
    client.open(V2)
    at = position_of(V2, "venue      = dydx", len("venue      = d"))
    assert client.request("textDocument/definition", {"textDocument": {"uri": URI}, "position": at}) is None


# ---- answering every request ----------------------------------------------------------------

BAD_POSITIONS = [{"line": -1, "character": 0}, {"line": 0, "character": -1}, {"line": 2**31, "character": 0},
                 {"line": 2**53, "character": 2**53}, {"line": "a", "character": 0}, {"line": None, "character": 0},
                 "here", {"line": 2**31 - 1, "character": 2**31 - 1}, {"line": 5, "character": 10**6}]
POSITION_REQUESTS = ["textDocument/completion", "textDocument/definition", "textDocument/hover"]


@pytest.mark.parametrize("method", POSITION_REQUESTS)
def test_every_request_gets_a_result_or_an_error_whatever_the_position(client, method):
    client.open(V2)
    for position in BAD_POSITIONS:
        answer = client.call(method, {"textDocument": {"uri": URI}, "position": position})
        assert ("result" in answer) != ("error" in answer), (position, answer)
        if "error" in answer:
            assert answer["error"]["code"] == -32602  # InvalidParams: the position is not a protocol position


def test_a_request_with_no_params_at_all_is_answered(client):
    for method in POSITION_REQUESTS + ["textDocument/formatting", "textDocument/codeAction"]:
        assert client.call(method, None)["error"]["code"] == -32602


def test_a_message_that_is_not_json_rpc_is_answered_with_an_error(client):
    lsp_server.receive(client.server.protocol, b"{not json")
    lsp_server.receive(client.server.protocol, b'[1, 2]')
    lsp_server.receive(client.server.protocol, b'{"id": 7, "method": "x"}')
    codes = [(m["id"], m["error"]["code"]) for m in client.sent[-3:]]
    assert codes == [(None, -32700), (None, -32600), (7, -32600)]


# ---- diagnostics whatever happens ---------------------------------------------------------------

def test_a_document_that_breaks_the_checker_still_gets_one_diagnostic(client, monkeypatch):
    from hedgec.compiler import pipeline

    client.open(V2.replace("from    = main\n  }\n\n  perp", "from    = mian\n  }\n\n  perp"))
    assert any(d["code"] == "H107" for d in client.published()[-1]["diagnostics"])

    def broken(*args, **kwargs):
        raise RecursionError("too deep")

    monkeypatch.setattr(pipeline, "check_text", broken)
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2},
                                             "contentChanges": [{"text": V2 + "\n"}]})
    published = client.published()[-1]
    assert published["version"] == 2
    [only] = published["diagnostics"]  # the stale H107 is gone
    assert only["severity"] == 1 and only["range"]["start"] == {"line": 0, "character": 0}
    assert "hedgec could not check this file" in only["message"] and "RecursionError: too deep" in only["message"]


def test_a_bad_string_escape_gets_diagnostics(client):
    client.open(V2.replace('title   = "ETH', 'title   = "\\N{no such name} ETH'))
    diagnostics = client.published()[-1]["diagnostics"]
    assert diagnostics and diagnostics[0]["severity"] == 1


# ---- a burst of changes is checked once ---------------------------------------------------------

def test_a_burst_of_changes_is_checked_once_at_its_end(client, monkeypatch):
    import asyncio

    from hedgec.compiler import pipeline

    client.open(V2)
    checks = []
    real = pipeline.check_text
    monkeypatch.setattr(pipeline, "check_text", lambda text, *a, **k: checks.append(text) or real(text, *a, **k))
    before = len(client.published())

    async def burst():
        for version in range(2, 1002):
            text = V2.replace("leverage   = 1x", f"leverage   = {1 + version % 3}x")
            client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version},
                                                     "contentChanges": [{"text": text}]})
        assert len(client.published()) == before  # nothing checked during the burst
        await asyncio.sleep(lsp_server.DEBOUNCE_SECONDS * 3)

    asyncio.run(burst())
    published = client.published()[before:]
    assert len(checks) == 1 and "leverage   = 3x" in checks[0]  # 1001 % 3 == 2: the last version
    assert [p["version"] for p in published] == [1001]


# ---- UTF-16 columns ----------------------------------------------------------------------------

EMOJI = V2.replace("    order      = market", '    order = "😀😀😀" bogus')


def test_diagnostic_columns_are_utf16_code_units(client):
    client.open(EMOJI)
    [parse] = [d for d in client.published()[-1]["diagnostics"] if d["code"] == "H001"]
    line = EMOJI.split("\n")[parse["range"]["start"]["line"]]
    assert line == '    order = "😀😀😀" bogus'
    # `bogus` is code point 18 of the line, and UTF-16 unit 21: each emoji is two units
    assert parse["range"]["start"]["character"] == 21 and parse["range"]["end"]["character"] == 26


def test_incoming_positions_are_utf16_code_units():
    lines = ['a😀b = c']
    assert lsp_server.from_client(lines, 0, 3, lsp_server.utf16_units) == (0, 2)  # after the emoji: `b`
    assert lsp_server.to_client(lines, 0, 2, lsp_server.utf16_units) == (0, 3)
    assert lsp_server.from_client(lines, 9, 10**9, lsp_server.utf16_units) == (0, 7)  # clamped to the text


# ---- hover, formatting, quick fixes ------------------------------------------------------------

def test_hover_on_a_key_shows_its_documentation(client):
    client.open(V2)
    at = position_of(V2, "collateral = 10000 USDC", 3)
    value = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": at})["contents"]["value"]
    assert value.startswith("**perp.collateral**: ") and "Value: an amount with its asset" in value
    at = position_of(V2, "price.ETH", 2)
    value = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": at})["contents"]["value"]
    assert value.startswith("**assume.price.ETH**")


def test_hover_on_a_perp_shows_its_figures(client):
    client.open(V2)
    at = position_of(V2, "perp hedge {", len("perp h"))
    value = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": at})["contents"]["value"]
    # 10,000 USDC at 1x and 3,000 USDC/ETH: 3.3333 ETH short; liquidation (C + sE) / (s (1 + mmf)) with
    # mmf 0.03 = 20000 / 3.43333 = 5,825.24 USDC, +94.17% from entry (the same figures as the risk diff)
    assert "- size: 3.333 ETH" in value
    assert "- notional: 10,000.00 USDC" in value and "- leverage: 1.00x" in value
    assert "- liquidation price: 5,825.24 USDC" in value and "- liquidation distance: 94.17%" in value
    assert re.search(r"- liquidation probability: \d+\.\d\d%", value)


def test_hover_on_a_pool_shows_its_exposure(client):
    client.open(V2)
    at = position_of(V2, "pool lp {", 1)
    value = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": at})["contents"]["value"]
    # 20,000 USDC deposited half in ETH at 3,000: 3.3333 ETH, 10,000 USDC of exposure
    assert "- deposit: 20,000.00 USDC" in value and "- exposure: 10,000.00 USDC" in value


def test_no_hover_on_a_value(client):
    client.open(V2)
    at = position_of(V2, "venue      = dydx", len("venue      = d"))
    assert client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": at}) is None


def test_formatting_returns_the_fmt_layout(client):
    from hedgec.compiler.formatter import format_source

    messy = V2.replace("horizon = 90d", "horizon    =   90d") + "# 🦄 last line"
    client.open(messy)
    [edit] = client.request("textDocument/formatting", {"textDocument": {"uri": URI},
                                                        "options": {"tabSize": 2, "insertSpaces": True}})
    assert edit["newText"] == format_source(messy, "strategy.hedge")
    last = messy.split("\n")[-1]
    assert edit["range"] == {"start": {"line": 0, "character": 0},
                             "end": {"line": messy.count("\n"), "character": len(last) + 1}}  # 🦄 is 2 units
    client.open("strategy s {\n  horizon = \n")
    assert client.request("textDocument/formatting", {"textDocument": {"uri": URI},
                                                      "options": {"tabSize": 2, "insertSpaces": True}}) == []


def test_a_did_you_mean_hint_is_a_quick_fix(client):
    text = V2.replace("from    = main\n  }\n\n  perp", "from    = mian\n  }\n\n  perp")
    client.open(text)
    at = position_of(text, "from    = mian")
    params = {"textDocument": {"uri": URI}, "range": {"start": at, "end": at},
              "context": {"diagnostics": client.published()[-1]["diagnostics"]}}
    [action] = client.request("textDocument/codeAction", params)
    assert action["title"] == "Replace `mian` with `main`" and action["kind"] == "quickfix"
    [edit] = action["edit"]["changes"][URI]
    start = position_of(text, "mian")
    assert edit == {"range": {"start": start, "end": {"line": start["line"], "character": start["character"] + 4}},
                    "newText": "main"}
    elsewhere = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
    assert client.request("textDocument/codeAction", dict(params, range=elsewhere)) == []


def test_quick_fix_for_an_unknown_key():
    from hedgec.compiler.pipeline import check_text

    text = V2.replace("    leverage   = 1x", "    levrage   = 1x")
    [(title, line, start, end, new)] = lsp_server.quick_fixes(text, check_text(text, "s.hedge").diagnostics)
    assert text.split("\n")[line][start:end] == "levrage" and new == "leverage"


# ---- frames ------------------------------------------------------------------------------------

def frame(body: bytes, end: bytes = b"\r\n") -> bytes:
    return b"Content-Length: " + str(len(body)).encode() + end + end + body


def test_frames_split_and_recover():
    good, other = b'{"a": 1}', b'{"b": 2}'
    assert lsp_server.next_frame(frame(good) + b"Content") == (good, b"Content", None)
    assert lsp_server.next_frame(frame(good)[:-1]) == (None, frame(good)[:-1], None)  # wait for the rest
    assert lsp_server.next_frame(frame(good, b"\n"))[0] == good  # LF-only line ends
    with_type = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(good)
    assert lsp_server.next_frame(with_type) == (good, b"", None)
    # a body with no header, then a good frame
    body, rest, problem = lsp_server.next_frame(other + frame(good))
    assert (body, rest) == (good, b"") and "skipped 8 bytes" in problem
    # a Content-Length that is not a number
    body, rest, problem = lsp_server.next_frame(b"Content-Length: abc\r\n\r\n{}" + frame(good))
    assert body == good and problem
    # a Content-Length far too large: dropped once the next frame has begun
    body, rest, problem = lsp_server.next_frame(b"Content-Length: 99999\r\n\r\n{" + frame(good) + b"Con")
    assert (body, rest) == (good, b"Con") and "ran past the next frame" in problem
    body, rest, problem = lsp_server.next_frame(b"Content-Length: 99999\r\n\r\n{" + frame(good)[:-1])
    assert (body, rest) == (None, frame(good)[:-1]) and "ran past the next frame" in problem


def test_settings_are_read_as_they_are_now_and_wrong_ones_are_shown(tmp_path):
    """The server runs for hours: a settings file added, edited or broken beside
    the document counts at the next check, and a wrong one is said, not ignored."""
    client = Client()
    uri = (tmp_path / "s.hedge").as_uri()
    text = V2.replace("leverage   = 1x", "leverage   = 5x")  # H305 advises against leverage above 3x
    codes = lambda: [d["code"] for d in client.published()[-1]["diagnostics"] if "code" in d]  # noqa: E731
    client.open(text, uri)
    assert "H305" in codes()
    settings = tmp_path / "hedgec.toml"
    settings.write_text("[thresholds]\nadvised-max-leverage = 10\n")
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    client.open(text, uri)
    assert "H305" not in codes()
    settings.write_text("[thresholds]\nadvised-max-leverage = 0.5\n")  # not a leverage: the defaults, and why
    client.open(text, uri)
    first = client.published()[-1]["diagnostics"][0]
    assert first["severity"] == 1 and first["range"]["start"] == {"line": 0, "character": 0}
    assert "checked with the defaults" in first["message"] and "`advised-max-leverage` must be at least 1" in \
        first["message"] and str(settings) in first["message"]
    assert "H305" in codes()
    settings.unlink()
    client.open(text, uri)
    assert "H305" in codes() and not any("settings" in d["message"] for d in client.published()[-1]["diagnostics"])


def test_a_broken_catalog_overlay_is_shown_and_its_fix_read(tmp_path):
    client = Client()
    uri = (tmp_path / "s.hedge").as_uri()
    overlay = tmp_path / "mine.yaml"
    overlay.write_text("venues: [")
    (tmp_path / "hedgec.toml").write_text('catalogs = ["mine.yaml"]\n')
    client.open(V2, uri)
    assert "mine.yaml" in client.published()[-1]["diagnostics"][0]["message"]
    overlay.write_text("{}\n")
    client.open(V2, uri)
    assert not any("settings" in d["message"] for d in client.published()[-1]["diagnostics"])
