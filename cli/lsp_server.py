"""The hedge language server: the checker's diagnostics while typing,
completion of keys, venues, markets and block names, go-to-definition of
references, hover (a key's documentation, a leg's figures), formatting and
quick fixes for did-you-mean hints. Built on pygls (`pip install 'hedgec[lsp]'`).

The editor features are plain functions of the document text (and the
catalog), in code-point columns, so they are tested without a client; the
pygls handlers move data in and out and convert columns to the client's
units (UTF-16 unless the client chose otherwise). The server answers every
request, with a result or a JSON-RPC error; it resynchronises on the next
frame after a malformed one; a burst of edits is checked once, at its end.
"""
from __future__ import annotations

import re

from hedgec.compiler import schema
from hedgec.compiler.kinds import KINDS, allowed
from hedgec.record import record

HEAD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+([A-Za-z_][A-Za-z0-9_-]*))?\s*\{")
VALUE_AT = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*=\s*([\w-]*)$")
KEY_AT = re.compile(r"^\s*([\w.-]*)$")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")


@record
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
    if key == "market" and kind in KINDS:  # the markets of the block's venue, or of every venue of its kind
        declared = KINDS[kind]
        venue = catalog.venue(_block_value(text, line, declared.venue_key or "venue") or "")
        venues = [venue] if venue else [v for v in catalog.venues.values() if v.kind == declared.venue_kind]
        names = sorted({(m.name, v.kind, m.venue) for v in venues for m in v.markets.values()})
        return [Completion(name, "value", f"{of} market on {where}") for name, of, where in names]
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


# ---- hover ------------------------------------------------------------------------------

def hover(text: str, line: int, column: int, analysis, base: str = "") -> str | None:
    """Markdown for a 0-based position: on a key, its documentation; on a
    block's head, the leg's figures (when the strategy could be figured)."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    code = _code(lines[line])
    head = HEAD.match(code)
    if head and column <= head.end():
        kind, name = head.group(1), head.group(2)
        return leg_figures(kind, name, analysis, base) or (f"`{kind}` block" if kind in schema.block_keys() else None)
    key = re.match(r"^\s*([A-Za-z_][\w.-]*)\s*=", code)
    if key and key.start(1) <= column <= key.end(1):
        blocks = enclosing_blocks(text, line, key.start(1))
        return key_doc(blocks[-1][0] if blocks else "", key.group(1))
    return None


def key_doc(kind: str, key: str) -> str | None:
    if kind == "assume":
        spec = schema.ASSUME.get(key.split(".", 1)[0])
    else:
        spec = schema.block_keys().get(kind, {}).get(key)
    if spec is None:
        return None
    form = schema.FORMS.get(spec.form, "")
    required = " Required." if getattr(spec, "required", False) else ""
    return f"**{kind}.{key}**: {spec.doc}{required}\n\nValue: {form}"


def leg_figures(kind: str, name: str | None, analysis, base: str) -> str | None:
    """What a trader wants to see of a leg at a glance: its kind's review figures."""
    from hedgec.escape import markdown_code
    from hedgec.numbers import figure

    f = analysis.figures.get(name) if analysis is not None and name else None
    if f is None or kind not in KINDS:
        return None
    rows = [(label, figure(getattr(f, attr), style, getattr(f, "asset", base) if style == "asset" else base))
            for attr, label, style in KINDS[kind].review if getattr(f, attr, None) is not None]
    return f"**{kind}** {markdown_code(name)}\n\n" + "\n".join(f"- {label}: {value}" for label, value in rows)


# ---- quick fixes -----------------------------------------------------------------------

SUGGESTION = re.compile(r"did you mean `([^`]+)`")


def quick_fixes(text: str, diagnostics) -> list[tuple[str, int, int, int, str]]:
    """For each hedgec diagnostic with a did-you-mean hint, the edit that
    applies it: (title, 0-based line, start column, end column, new text)."""
    import difflib

    lines = text.split("\n")
    fixes = []
    for d in diagnostics:
        found = SUGGESTION.search(f"{d.message} {d.hint or ''}")
        line = d.span.line - 1
        if not found or not 0 <= line < len(lines):
            continue
        wanted = found.group(1)
        start = max(d.span.column - 1, 0)
        end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(lines[line])
        words = [w for w in WORD.finditer(lines[line], start, max(end, start)) if w.group() != wanted]
        if not words:
            continue
        word = max(words, key=lambda w: difflib.SequenceMatcher(None, w.group(), wanted).ratio())
        fixes.append((f"Replace `{word.group()}` with `{wanted}`", line, word.start(), word.end(), wanted))
    return fixes


# ---- positions: code points inside, client units (UTF-16) on the wire ----------------------

def from_client(lines: list[str], line: int, character: int, units) -> tuple[int, int]:
    """A client position (any non-negative numbers) as a line and code-point column inside the text."""
    line = min(line, len(lines) - 1)
    text, count = lines[line], 0
    for index, char in enumerate(text):
        if count >= character:
            return line, index
        count += units(char)
    return line, len(text)


def to_client(lines: list[str], line: int, column: int, units) -> tuple[int, int]:
    """A 0-based line and code-point column as the client counts it."""
    if not 0 <= line < len(lines):
        return max(min(line, len(lines)), 0), 0
    return line, units(lines[line][: max(column, 0)])


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---- frames on stdio ----------------------------------------------------------------------

FRAME = re.compile(rb"(?i)content-length: *(\d{1,12}) *\r?\n(?:[A-Za-z-]+: [^\r\n]*\r?\n)*\r?\n")
OTHER_HEADERS = re.compile(rb"(?:[A-Za-z-]+: [^\r\n]*\r?\n)*")


def next_frame(buffer: bytes) -> tuple[bytes | None, bytes, str | None]:
    """Split one message body off the front of `buffer`: (body or None when
    more bytes are needed, the rest, what was wrong and skipped if anything).
    Lenient where it costs nothing (LF line ends, other headers), and a bad
    frame is skipped up to the next valid header, so one bad frame costs one
    message, not the session."""
    found = FRAME.search(buffer)
    if found is None:
        return None, buffer, None
    problem = None
    skipped = buffer[: found.start()]
    if skipped and OTHER_HEADERS.fullmatch(skipped) is None:
        problem = f"skipped {len(skipped)} bytes that were not a message frame"
    length, start = int(found.group(1)), found.end()
    if len(buffer) - start >= length:
        return buffer[start:start + length], buffer[start + length:], problem
    later = FRAME.search(buffer, start)
    if later is not None:  # a new frame began before this body ended: its length was wrong
        body, rest, after = next_frame(buffer[later.start():])
        dropped = f"dropped a frame whose Content-Length ({length}) ran past the next frame"
        return body, rest, "; ".join(p for p in (problem, dropped, after) if p)
    return None, buffer[found.start():], problem


def receive(protocol, body: bytes) -> None:
    """Hand one message body to pygls, answering what it cannot: a request
    whose parameters do not fit the protocol (a position of -1, 2^53 or a
    string) gets an InvalidParams error, never silence."""
    import json
    import logging

    from pygls.exceptions import JsonRpcException

    log = logging.getLogger("hedgec.lsp")

    def refuse(request_id, code: int, message: str) -> None:
        log.error("%s", message)
        protocol._send_data({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})

    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        refuse(None, -32700, f"parse error: the message is not JSON ({err})")
        return
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        request_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), int | str) else None
        refuse(request_id, -32600, "invalid request: not a JSON-RPC 2.0 message")
        return
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as err:
        if "method" in data and isinstance(data.get("id"), int | str):
            protocol._send_data({"jsonrpc": "2.0", "id": data["id"], "error": _error_dict(err)})
        return
    try:
        protocol.handle_message(message)
    except Exception:  # pygls answers requests itself; keep serving the next message
        log.exception("cannot handle %s", data.get("method"))


def serve_stdio(server, stdin=None, stdout=None) -> None:
    """Run `server` on stdin/stdout with hedgec's frame reader (see next_frame)."""
    import asyncio
    import logging
    import os
    import sys
    import threading

    from pygls.io_ import StdoutWriter

    log = logging.getLogger("hedgec.lsp")
    fd = (stdin or sys.stdin.buffer).fileno()
    server._stop_event = stop = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

    async def loop() -> None:
        buffer = b""
        running = asyncio.get_running_loop()
        while not stop.is_set():
            body, buffer, problem = next_frame(buffer)
            if problem:
                log.warning("%s", problem)
            if body is not None:
                receive(server.protocol, body)
                continue
            chunk = await running.run_in_executor(None, os.read, fd, 1 << 16)
            if not chunk:
                log.info("the client closed stdin")
                return
            buffer += chunk

    try:
        asyncio.run(loop())
    except BrokenPipeError:
        log.error("the client closed the connection")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


# ---- the pygls server ------------------------------------------------------------------

DEBOUNCE_SECONDS = 0.15  # a burst of edits closer than this is checked once, at its end


def build_server():
    """A pygls LanguageServer with hedgec's features registered."""
    import logging

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from hedgec import __version__

    log = logging.getLogger("hedgec.lsp")
    server = LanguageServer("hedgec", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    catalogs: dict = {}  # (overlay files, their versions) -> (catalog, what is wrong with the overlays)
    checked: dict[str, tuple[tuple, object]] = {}  # uri -> ((text, settings, catalog), CheckResult) of the last check
    pending: dict = {}  # uri -> the timer of a debounced check

    def settings_for(path: str):
        """(settings, catalog, what is wrong with them or None) for a document,
        as the files are now: the server runs on while settings and catalog
        files are added and edited. Wrong settings or catalog overlays leave the
        defaults in their place, and the editor is told (publish)."""
        from pathlib import Path

        from hedgec.compiler.catalog import CatalogError, load_catalog
        from hedgec.compiler.config import (Config, ConfigError, file_version, find_config_file,
                                            forget_settings_files, load_config)

        forget_settings_files()
        problem = None
        try:
            config = load_config(find_config_file(Path(path)))
        except ConfigError as err:
            config, problem = Config(), str(err)
        key = (config.catalogs, tuple(file_version(c) for c in config.catalogs))  # an edited overlay: read again
        if key not in catalogs:
            try:
                catalogs[key] = load_catalog(config.catalogs), None
            except CatalogError as err:
                catalogs[key] = load_catalog(), str(err)
        catalog, catalog_problem = catalogs[key]
        return config, catalog, problem or catalog_problem

    def path_of(uri: str) -> str:
        return to_fs_path(uri) or uri

    def units_of(document):
        return document.position_codec.client_num_units

    def check(uri: str):
        """The check result of the document as it is now (cached per text)."""
        from hedgec.compiler.pipeline import check_text

        document = server.workspace.get_text_document(uri)
        config, catalog, problem = settings_for(path_of(uri))
        seen, result = checked.get(uri, (None, None))
        now = (document.source, config, id(catalog))  # catalogs live as long as the server: ids stay theirs
        if result is None or seen != now:
            result = check_text(document.source, path_of(uri), config, catalog)
            checked[uri] = (now, result)
        return result, problem

    def publish(uri: str) -> None:
        """Publish the document's diagnostics; if checking fails, one diagnostic saying so."""
        pending.pop(uri, None)
        document = server.workspace.get_text_document(uri)
        lines = document.source.split("\n")
        try:
            result, problem = check(uri)
            found = [lsp_diagnostic(d, types, lines, units_of(document)) for d in result.diagnostics]
            if problem is not None:
                found.insert(0, types.Diagnostic(
                    range=types.Range(start=types.Position(line=0, character=0),
                                      end=types.Position(line=0, character=0)),
                    message=f"hedgec cannot use its settings, so this file is checked with the defaults: {problem}",
                    severity=types.DiagnosticSeverity.Error, source="hedgec"))
        except Exception as err:  # a bug in hedgec: the editor still hears of it, and stale diagnostics go
            log.exception("checking %s failed", uri)
            found = [types.Diagnostic(
                range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
                message=f"hedgec could not check this file: internal error {type(err).__name__}: {err} "
                        "(a bug in hedgec; please report it)",
                severity=types.DiagnosticSeverity.Error, source="hedgec")]
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=found))

    def publish_later(uri: str) -> None:
        """Check once a burst of changes is over: each change restarts the timer."""
        import asyncio

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:  # driven without an event loop (in-process tests): check now
            publish(uri)
            return
        if uri in pending:
            pending[uri].cancel()
        pending[uri] = running.call_later(DEBOUNCE_SECONDS, publish, uri)

    def position_in(document, position) -> tuple[list[str], int, int]:
        lines = document.source.split("\n")
        line, column = from_client(lines, position.line, position.character, units_of(document))
        return lines, line, column

    def client_range(document, lines, line, start, end):
        units = units_of(document)
        (a, b), (c, d) = to_client(lines, line, start, units), to_client(lines, line, end, units)
        return types.Range(start=types.Position(line=a, character=b), end=types.Position(line=c, character=d))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        publish_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        publish_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        if uri in pending:
            pending.pop(uri).cancel()
        checked.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" ", "="]))
    def completion(ls, params: types.CompletionParams):
        document = server.workspace.get_text_document(params.text_document.uri)
        _, catalog, _ = settings_for(path_of(params.text_document.uri))
        kinds = {"key": types.CompletionItemKind.Property, "block": types.CompletionItemKind.Class,
                 "value": types.CompletionItemKind.Value, "reference": types.CompletionItemKind.Reference}
        _, line, column = position_in(document, params.position)
        found = completions(document.source, line, column, catalog)
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=c.label, kind=kinds[c.kind], detail=c.detail) for c in found])

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def goto_definition(ls, params: types.DefinitionParams):
        document = server.workspace.get_text_document(params.text_document.uri)
        lines, line, column = position_in(document, params.position)
        found = definition(document.source, line, column)
        if found is None:
            return None
        at_line, start, end = found
        return types.Location(uri=params.text_document.uri, range=client_range(document, lines, at_line, start, end))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls, params: types.HoverParams):
        document = server.workspace.get_text_document(params.text_document.uri)
        _, line, column = position_in(document, params.position)
        try:
            result, _ = check(params.text_document.uri)
        except Exception:  # no figures, but the key documentation still shows
            log.exception("checking %s failed", params.text_document.uri)
            result = None
        analysis = getattr(result, "analysis", None)
        base = getattr(getattr(result, "strategy", None), "base", "") or ""
        text = hover(document.source, line, column, analysis, base)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls, params: types.DocumentFormattingParams):
        """The whole document in `hedgec fmt` layout; no edit when it does not parse
        (its diagnostics say why) or is formatted already."""
        from hedgec.compiler.formatter import FormatError, format_source
        from hedgec.compiler.syntax import ParseError

        document = server.workspace.get_text_document(params.text_document.uri)
        try:
            formatted = format_source(document.source, path_of(params.text_document.uri))
        except (ParseError, FormatError):
            return []
        if formatted == document.source:
            return []
        lines = document.source.split("\n")
        end = to_client(lines, len(lines) - 1, len(lines[-1]), units_of(document))
        return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0),
                                                 end=types.Position(line=end[0], character=end[1])),
                               new_text=formatted)]

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls, params: types.CodeActionParams):
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        lines = document.source.split("\n")
        first, last = params.range.start.line, params.range.end.line
        actions = []
        for title, line, start, end, new_text in quick_fixes(document.source, check(uri)[0].diagnostics):
            if not first <= line <= last:
                continue
            edit = types.TextEdit(range=client_range(document, lines, line, start, end), new_text=new_text)
            actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                                            edit=types.WorkspaceEdit(changes={uri: [edit]})))
        return actions

    return server


_SEVERITY = {"error": 1, "warning": 2, "info": 3}  # LSP DiagnosticSeverity


def lsp_diagnostic(d, types, lines: list[str], units=utf16_units):
    """A hedgec diagnostic in LSP terms: 0-based lines, columns in the client's units."""
    start = to_client(lines, d.span.line - 1, d.span.column - 1, units)
    end = to_client(lines, d.span.end_line - 1, d.span.end_column - 1, units)
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return types.Diagnostic(range=types.Range(start=types.Position(line=start[0], character=start[1]),
                                              end=types.Position(line=end[0], character=end[1])),
                            message=message, severity=types.DiagnosticSeverity(_SEVERITY[d.severity.value]),
                            code=d.code, source="hedgec")


def _error_dict(err) -> dict:
    error = err.to_response_error()
    return {"code": int(error.code), "message": error.message}
