"""The `hedgec` command line. Each command lives in its own module and is
imported only when run, so `hedgec check` does not pay for numpy or plots.

Exit codes: 0 clean, 1 findings (errors; warnings too with --strict),
2 usage or tool errors.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys

# command -> (module under hedgec.cli, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "validate strategy files and folders"),
    "rules": ("rules", "list every diagnostic code"),
    "explain": ("rules", "explain one diagnostic code"),
    "plan": ("plan", "compile a strategy to its simulation plan"),
    "checklist": ("checklist", "compile a strategy to its execution checklist"),
    "graph": ("graph", "draw a strategy's dependency graph (DOT or Mermaid)"),
    "build": ("build", "write every artefact of a strategy to a folder"),
    "simulate": ("simulate", "simulate a strategy: payoff grid, Monte Carlo or a replay of real prices"),
    "fmt": ("fmt", "rewrite strategy files in canonical layout"),
    "diff": ("diff", "what changed in risk between two versions of a strategy"),
    "lsp": ("lsp", "run the language server for editors (stdio)"),
    "init": ("init", "set up a folder: a starter strategy, settings, pre-commit and a CI workflow"),
}

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how hedgec was called, or with its settings: exit 2."""


def build_parser() -> argparse.ArgumentParser:
    from hedgec import __version__

    parser = argparse.ArgumentParser(prog="hedgec", description="Compile and validate DeFi hedge strategies.")
    parser.add_argument("--version", action="version", version=f"hedgec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        # Names and help only: `hedgec --help` imports no command (main runs a
        # named command with _single_parser, which adds its arguments).
        sub.add_parser(name, help=help_text, description=help_text)
    return parser


def _module(name: str):
    return importlib.import_module(f"hedgec.cli.{name}")


def main(argv: list[str] | None = None, *, then_exit: bool = False) -> int:
    """Run the command `argv` and return its exit code. `then_exit`: the
    process ends right after (entry()), so the collector's setting is not put
    back: putting it back sets off a pass over everything the run made."""
    argv = sys.argv[1:] if argv is None else argv
    # Build only the parser of the command being run: start-up stays light.
    name = next((a for a in argv if not a.startswith("-")), None)
    parser = _single_parser(name) if name in COMMANDS else build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0) and EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        command = _module(COMMANDS[args.command][0])
        with collector_for_a_run(restore=not then_exit,
                                 off=then_exit and getattr(command, "KEEPS_WHAT_IT_MAKES", False)):
            return command.run(args)
    except UsageError as err:
        print(f"hedgec: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except OSError as err:  # the system refused, e.g. a full disk under stdout: not a bug in hedgec
        where = f" ({err.filename})" if err.filename else ""
        print(f"hedgec: error: {err.strerror or err}{where}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug in hedgec, not in the input: say so without a traceback
        if os.environ.get("HEDGEC_DEBUG"):
            raise
        from hedgec.escape import terminal

        said = str(err)
        if len(said) > 500:  # some errors quote a whole object; the start says what went wrong
            said = said[:500] + f"... ({len(said) - 500:,} more characters)"
        print(f"hedgec: internal error: {type(err).__name__}: {terminal(said)}\n"
              "hedgec: this is a bug in hedgec; rerun with HEDGEC_DEBUG=1 for the traceback and report it",
              file=sys.stderr)
        return EXIT_USAGE


def entry() -> None:
    """The `hedgec` command: main(), then out of the process at once.

    The objects of a large check take longer to free than to build on the way
    out (60 ms of a 2,500-leg check); so, once the output is flushed, the
    process ends without tearing them down, as mypy's does. Nothing is left
    to do by then: writes are complete and worker pools closed."""
    code = main(then_exit=True)
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass  # the reader stopped early (`hedgec check | head`), or the stream is closed (`hedgec lsp`)
    except OSError as err:  # a full disk or a closed terminal: the report did not arrive
        print(f"hedgec: error: cannot write the output: {err.strerror or err}", file=sys.stderr)
        code = EXIT_USAGE
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # nowhere left to say anything
    os._exit(code)


@contextlib.contextmanager
def collector_for_a_run(restore: bool = True, off: bool = False):
    """Collect garbage every 200,000 new objects rather than every 700 (as mypy does).

    A check allocates a large tree that lives until its report is written, and
    makes little cyclic garbage: at the default, the collector's passes over that
    tree made a 2,500-leg check 25% slower a leg than a 150-leg one; now it is
    linear (benchmarks/bench_check.py).

    `off`: no collection at all, for a command that keeps what it makes until
    its process ends (check keeps every result for its report): each pass would
    look over that heap and find nothing to free, at a tenth of a large check's
    time. With `restore`, the setting is put back afterwards, for a caller
    running main() in process."""
    was_enabled, collect_every = gc.isenabled(), gc.get_threshold()
    if off:
        gc.disable()
    else:
        gc.set_threshold(200_000, *collect_every[1:])
    try:
        yield
    finally:
        if restore:
            gc.set_threshold(*collect_every)
            if was_enabled:
                gc.enable()


def _single_parser(name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hedgec")
    sub = parser.add_subparsers(dest="command")
    module, help_text = COMMANDS[name]
    _module(module).add_arguments(sub.add_parser(name, help=help_text, description=help_text), name)
    return parser


if __name__ == "__main__":
    sys.exit(main())
