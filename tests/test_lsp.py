"""The language server, driven in-process through pygls's JSON-RPC protocol."""
from __future__ import annotations

import json

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

    def notify(self, method: str, params: dict) -> None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        self.server.protocol.handle_message(self.server.protocol.structure_message(message))

    def request(self, method: str, params: dict):
        self.ids += 1
        message = {"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params}
        self.server.protocol.handle_message(self.server.protocol.structure_message(message))
        return next(m for m in self.sent if m.get("id") == self.ids)["result"]

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
