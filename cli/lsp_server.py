"""The hedge language server: the checker's diagnostics while typing,
completion of keys, venues, markets and block names, and go-to-definition
of references. Built on pygls (`pip install 'hedgec[lsp]'`).

The editor features are plain functions of the document text (and the
catalog), so they are tested without a client; the pygls handlers only move
data in and out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hedgec.compiler import schema
from hedgec.compiler.kinds import KINDS, allowed

HEAD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+([A-Za-z_][A-Za-z0-9_-]*))?\s*\{")
VALUE_AT = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*=\s*([\w-]*)$")
KEY_AT = re.compile(r"^\s*([\w.-]*)$")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # "key" | "block" | "value" | "reference"
    detail: str


# ---- document structure from text (works on half-typed, unparsable text) --------

def _code(line: str) -> str:
    """The line without its comment (a `#` inside a string does not start one)."""
    out, quoted = [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            break
        out.append(ch)
    return "".join(out)


def enclosing_blocks(text: str, line: int, column: int) -> list[tuple[str, str | None]]:
    """(kind, name) of the blocks open at a 0-based position, outermost first."""
    stack: list[tuple[str, str | None]] = []
    lines = text.split("\n")
    for number, raw in enumerate(lines[: line + 1]):
        code = _code(raw if number < line else raw[:column])
        head = HEAD.match(code)
        for ch in code:
            if ch == "{":
                stack.append((head.group(1), head.group(2)) if head else ("block", None))
                head = None
            elif ch == "}" and stack:
                stack.pop()
    return stack


def block_names(text: str) -> dict[str, tuple[str, int, int]]:
    """Named blocks: name -> (kind, 0-based line, 0-based column of the name)."""
    found = {}
    for number, raw in enumerate(text.split("\n")):
        head = HEAD.match(_code(raw))
        if head and head.group(2) and head.group(2) not in found:
            found[head.group(2)] = (head.group(1), number, head.start(2))
    return found


def _block_value(text: str, line: int, key: str) -> str | None:
    """The value of `key` in the block around `line`, e.g. the `venue` of a perp."""
    lines = text.split("\n")
    start = line
    while start > 0 and not HEAD.match(_code(lines[start])):
        start -= 1
    depth = 0
    for raw in lines[start:]:
        code = _code(raw)
        match = re.match(rf"^\s*(?:[A-Za-z_]\w*(?:\s+[\w-]+)?\s*\{{\s*)?{re.escape(key)}\s*=\s*([\w-]+)", code)
        if match and depth <= 1:
            return match.group(1)
        depth += code.count("{") - code.count("}")
        if depth <= 0 and raw is not lines[start]:
            break
    return None


# ---- completion --------------------------------------------------------------------

def completions(text: str, line: int, column: int, catalog) -> list[Completion]:
    """What may be typed at a 0-based position: keys and block kinds at the
    start of a line, values after `key =`."""
    blocks = enclosing_blocks(text, line, column)
    if not blocks:
        return [Completion("strategy", "block", "one strategy per file")]
    kind = blocks[-1][0]
    prefix = _code(text.split("\n")[line][:column]) if line < len(text.split("\n")) else ""
    value = VALUE_AT.match(prefix)
    if value:
        return _values(kind, value.group(1), text, line, catalog)
    if KEY_AT.match(prefix):
        return _keys(kind)
    return []


def _keys(kind: str) -> list[Completion]:
    if kind == "assume":
        return [Completion(f"{p}." if p != "gas_price" else p, "key", k.doc) for p, k in schema.ASSUME.items()]
    out = [Completion(name, "key", key.doc) for name, key in schema.block_keys().get(kind, {}).items()]
    if kind == "strategy":
        out += [Completion(k, "block", f"a `{k}` block") for k in schema.block_kinds()]
    return out


def _values(kind: str, key: str, text: str, line: int, catalog) -> list[Completion]:
    spec = schema.block_keys().get(kind, {}).get(key)
    if kind in KINDS and key == KINDS[kind].venue_key:
        wanted = KINDS[kind].venue_kind
        return [Completion(v.name, "value", f"{v.kind} venue on {v.chain}")
                for v in sorted(catalog.venues.values(), key=lambda v: v.name) if v.kind == wanted]
    if key == "market":
        venue = catalog.venue(_block_value(text, line, "venue") or "")
        venues = [venue] if venue else [v for v in catalog.venues.values() if v.kind == "perp"]
        names = sorted({(m.name, m.venue) for v in venues for m in v.markets.values()})
        return [Completion(name, "value", f"perp market on {venue_name}") for name, venue_name in names]
    if key == "chain":
        return [Completion(name, "value", "chain") for name in sorted(catalog.chains)]
    ref = KINDS[kind].reference(key) if kind in KINDS else None
    if ref is not None:
        permitted = allowed(ref.targets)
        return [Completion(name, "reference", f"{k} {name}") for name, (k, _, _) in sorted(block_names(text).items())
                if k in permitted]
    if spec is not None and spec.choices:
        return [Completion(choice, "value", spec.doc) for choice in spec.choices]
    if spec is not None and spec.form == "order":
        return [Completion("market", "value", spec.doc), Completion("limit", "value", spec.doc)]
    return []


# ---- go to definition ----------------------------------------------------------------

def definition(text: str, line: int, column: int) -> tuple[int, int, int] | None:
    """Where the block named by the reference at a 0-based position is
    declared: (line, start column, end column) of its name, or None."""
    lines = text.split("\n")
    if line >= len(lines):
        return None
    code = _code(lines[line])
    match = re.match(r"^\s*([A-Za-z_]\w*)\s*=\s*", code)
    if not match or not any(k.reference(match.group(1)) for k in KINDS.values()):
        return None
    word = next((w for w in WORD.finditer(code, match.end()) if w.start() <= column <= w.end()), None)
    target = block_names(text).get(word.group()) if word else None
    if target is None:
        return None
    _, at_line, at_column = target
    return at_line, at_column, at_column + len(word.group())


# ---- the pygls server ------------------------------------------------------------------

def build_server():
    """A pygls LanguageServer with hedgec's features registered."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from hedgec import __version__

    server = LanguageServer("hedgec", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    catalogs: dict = {}

    def settings_for(path: str):
        from pathlib import Path

        from hedgec.compiler.catalog import CatalogError, load_catalog
        from hedgec.compiler.config import Config, ConfigError, find_config_file, load_config

        try:
            config = load_config(find_config_file(Path(path)))
        except (ConfigError, OSError):
            config = Config()
        if config.catalogs not in catalogs:
            try:
                catalogs[config.catalogs] = load_catalog(config.catalogs)
            except CatalogError:
                catalogs[config.catalogs] = load_catalog()
        return config, catalogs[config.catalogs]

    def publish(uri: str) -> None:
        from hedgec.compiler.pipeline import check_text

        document = server.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        config, catalog = settings_for(path)
        result = check_text(document.source, path, config, catalog)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[lsp_diagnostic(d, types) for d in result.diagnostics]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "="]))
    def completion(ls, params: types.CompletionParams):
        document = server.workspace.get_text_document(params.text_document.uri)
        _, catalog = settings_for(to_fs_path(params.text_document.uri) or params.text_document.uri)
        kinds = {"key": types.CompletionItemKind.Property, "block": types.CompletionItemKind.Class,
                 "value": types.CompletionItemKind.Value, "reference": types.CompletionItemKind.Reference}
        found = completions(document.source, params.position.line, params.position.character, catalog)
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=c.label, kind=kinds[c.kind], detail=c.detail) for c in found])

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def goto_definition(ls, params: types.DefinitionParams):
        document = server.workspace.get_text_document(params.text_document.uri)
        found = definition(document.source, params.position.line, params.position.character)
        if found is None:
            return None
        line, start, end = found
        return types.Location(uri=params.text_document.uri, range=types.Range(
            start=types.Position(line=line, character=start), end=types.Position(line=line, character=end)))

    return server


_SEVERITY = {"error": 1, "warning": 2, "info": 3}  # LSP DiagnosticSeverity


def lsp_diagnostic(d, types):
    """A hedgec diagnostic in LSP terms (0-based positions)."""
    start = types.Position(line=max(d.span.line - 1, 0), character=max(d.span.column - 1, 0))
    end = types.Position(line=max(d.span.end_line - 1, 0), character=max(d.span.end_column - 1, 0))
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return types.Diagnostic(range=types.Range(start=start, end=end), message=message,
                            severity=types.DiagnosticSeverity(_SEVERITY[d.severity.value]),
                            code=d.code, source="hedgec")
