"""Command line: init, load-demo, serve, import-ssen-headroom."""

from __future__ import annotations

import argparse
import sys
import time

from leo_qgis_plugin.core.formats.errors import FormatError

from .config import default_database_url, default_port


def _engine(args):
    from .db import make_engine

    return make_engine(args.db or default_database_url())


def cmd_init(args) -> int:
    from .store import init_catalogue

    init_catalogue(_engine(args))
    print("Catalogue database ready.")
    return 0


def cmd_load_demo(args) -> int:
    from .demo.build import load_demo

    started = time.perf_counter()
    load_demo(_engine(args), log=print)
    print(f"Demo catalogue loaded in {time.perf_counter() - started:.1f} s.")
    return 0


def cmd_serve(args) -> int:
    import uvicorn

    from .api.app import create_app
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    uvicorn.run(create_app(engine), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def cmd_import_headroom(args) -> int:
    from .importers.ssen_headroom import import_headroom
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    report = import_headroom(engine, args.source, args.dataset_id)
    print(report.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m leo_catalogue", description="LEO catalogue API server.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", help="database URL (default: $LEO_DATABASE_URL, else var/leo_catalogue.sqlite)")
        sub.set_defaults(handler=handler)
        return sub

    command("init", cmd_init, "Create the catalogue database.")
    command("load-demo", cmd_load_demo, "Build the Oxfordshire demo catalogue (deterministic).")
    serve = command("serve", cmd_serve, "Serve the catalogue API.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=default_port())
    serve.add_argument("--log-level", default="info")
    headroom = command("import-ssen-headroom", cmd_import_headroom,
                       "Import an SSEN headroom CSV (a file path or an http(s) URL) as a dataset.")
    headroom.add_argument("source", metavar="FILE_OR_URL")
    headroom.add_argument("--dataset-id", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
