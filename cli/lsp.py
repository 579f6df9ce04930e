"""`hedgec lsp`: run the hedge language server on stdin/stdout for an editor."""
from __future__ import annotations

from hedgec.cli.main import EXIT_OK, UsageError


def add_arguments(parser, name: str) -> None:
    parser.description = "Run the language server over stdio (needs the `lsp` extra: pip install 'hedgec[lsp]')."


def run(args) -> int:
    try:
        from hedgec.cli.lsp_server import build_server, serve_stdio

        server = build_server()
    except ImportError as err:
        raise UsageError(f"the language server needs pygls: pip install 'hedgec[lsp]' ({err})") from None
    _log_to_stderr()
    serve_stdio(server)
    return EXIT_OK


def _log_to_stderr() -> None:
    """The editor shows the server's stderr as its log: say why a message was skipped."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="hedgec lsp: %(levelname)s: %(message)s")
