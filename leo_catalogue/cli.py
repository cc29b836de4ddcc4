"""Command line: init, load-demo, serve, import-ssen-headroom, import-lv-feeder, harvest, create-token,
revoke-token, audit."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta, timezone

from leo_qgis_plugin.core.formats.errors import FormatError

from .config import default_database_url, default_port
from .store import OutdatedCatalogue


def _engine(args):
    from .db import make_engine

    return make_engine(args.db or default_database_url())


def cmd_init(args) -> int:
    from .store import init_catalogue

    init_catalogue(_engine(args))
    print("Catalogue database ready.")
    return 0


def cmd_load_demo(args) -> int:
    from .demo.build import demo_present, load_demo
    from .store import init_catalogue, schema_state

    engine = _engine(args)
    if args.if_needed:
        state = schema_state(engine)
        if state == "migratable":
            init_catalogue(engine)  # new tables only: every dataset is kept
            state = "current"
            print("The catalogue database was brought up to date.")
        if state == "current" and demo_present(engine):
            if args.gb_operators and not demo_present(engine, gb_operators=True):
                from .demo.gb_operators import load_gb_operators

                load_gb_operators(engine, print)
            print("The demo catalogue is already there.")
            _prepare_downloads(engine)
            return 0
        if state == "outdated":
            old = _set_aside(engine)
            engine = _engine(args)
            print(f"The catalogue database was made by an older version; it was moved to {old} and is rebuilt.")
    started = time.perf_counter()
    load_demo(engine, log=print, gb_operators=args.gb_operators)
    print(f"Demo catalogue loaded in {time.perf_counter() - started:.1f} s.")
    _prepare_downloads(engine)
    return 0


def _set_aside(engine) -> str:
    """Rename an outdated SQLite catalogue file so a new one can be built; nothing is deleted."""
    from pathlib import Path

    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database:
        raise OutdatedCatalogue("The catalogue database was made by an older version; use a new database.")
    engine.dispose()
    path = Path(database)
    target = path.with_name(f"{path.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return str(target)


def cmd_serve(args) -> int:
    import uvicorn

    from .api.app import app_from_environment
    from .store import init_catalogue

    init_catalogue(_engine(args))
    if args.workers > 1:  # each worker process makes its own app and engine from the environment
        os.environ["LEO_DATABASE_URL"] = args.db or default_database_url()
        uvicorn.run("leo_catalogue.api.app:app_from_environment", factory=True, workers=args.workers,
                    host=args.host, port=args.port, log_level=args.log_level)
        return 0
    uvicorn.run(app_from_environment(args.db), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def cmd_import_headroom(args) -> int:
    from .importers.ssen_headroom import import_headroom
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    report = import_headroom(engine, args.source, args.dataset_id)
    print(report.summary())
    _prepare_downloads(engine)
    return 0


def cmd_import_lv_feeder(args) -> int:
    from pathlib import Path

    from .importers.lv_feeder import import_lv_feeder
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    started = time.perf_counter()
    report = import_lv_feeder(engine, Path(args.source), args.dataset_id, Path(args.lookup) if args.lookup else None)
    print(report.summary())
    print(f"Imported in {time.perf_counter() - started:.1f} s.")
    _prepare_downloads(engine)
    return 0


def _prepare_downloads(engine) -> None:
    """The ready-made GeoPackage of every dataset that lacks one for its current version."""
    from .ready_files import prepare_all

    started = time.perf_counter()
    built = prepare_all(engine)
    if built:
        print(f"{built} ready-made GeoPackage(s) built in {time.perf_counter() - started:.1f} s.")


def _portal_address(text: str) -> tuple[str, str]:
    """``--portal KEY=URL``; a usage error (not a traceback) otherwise."""
    key, sep, url = text.partition("=")
    if not sep or not key.strip() or not url.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=URL, e.g. ukpn=http://127.0.0.1:8800/")
    return key.strip(), url.strip()


def _interval(text: str) -> float:
    """``--every``: seconds in 30m, 6h, 1d; a usage error otherwise."""
    from .harvest.schedule import every_seconds

    try:
        return every_seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_harvest(args) -> int:
    from .harvest.run import harvest
    from .harvest.schedule import repeat
    from .records import Provenance
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    urls = dict(args.portal or [])
    provenance = Provenance.SYNTHETIC if args.synthetic else Provenance.REAL

    def once() -> bool:
        results = harvest(engine, args.operator, urls, provenance)
        for result in results:
            print(result.line(), flush=True)
        _prepare_downloads(engine)
        return all(r.status != "failed" for r in results)

    if not args.every:
        return 0 if once() else 1
    repeat(once, args.every)
    return 0


def cmd_revoke_token(args) -> int:
    from .accounts import revoke_tokens
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    removed = revoke_tokens(engine, args.user, args.org)
    print(f"{removed} token(s) of {args.user} revoked; requests with them now get 401.")
    return 0 if removed else 1


def cmd_audit(args) -> int:
    from .audit import entries

    with _engine(args).connect() as conn:
        for entry in reversed(entries(conn, args.dataset, args.limit)):
            print(f"{entry['at']:%Y-%m-%d %H:%M:%S} UTC  {entry['action']:<8} {entry['dataset_id']} "
                  f"v{entry['version']}  by {entry['user']} ({entry['organisation']})  {entry['detail']}")
    return 0


def cmd_create_token(args) -> int:
    from .accounts import Role, create_token
    from .store import init_catalogue

    engine = _engine(args)
    init_catalogue(engine)
    expires = None
    if args.expires_days is not None:
        if args.expires_days < 1:
            raise ValueError("--expires-days must be at least 1.")
        expires = datetime.now(timezone.utc) + timedelta(days=args.expires_days)
    token = create_token(engine, args.user, args.org, Role(args.role), expires)
    print(token)
    until = f" until {expires:%d %B %Y}" if expires else ""
    print(f"A {args.role} token for {args.user} ({args.org}){until}. It is shown only now: only its hash is stored. "
          "Send it as 'Authorization: Bearer TOKEN', or in QGIS as the password of a Basic authentication "
          "configuration.", file=sys.stderr)
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
    demo = command("load-demo", cmd_load_demo, "Build the Oxfordshire demo catalogue (deterministic).")
    demo.add_argument("--if-needed", action="store_true",
                      help="only when the demo is missing; an outdated SQLite file is set aside, not deleted")
    demo.add_argument("--gb-operators", action="store_true",
                      help="also Great Britain's six operators' synthetic headroom, harvested twice (versions and "
                           "change layers)")
    serve = command("serve", cmd_serve, "Serve the catalogue API.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=default_port())
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (PostgreSQL; SQLite serves from one process best)")
    headroom = command("import-ssen-headroom", cmd_import_headroom,
                       "Import an SSEN headroom CSV (a file path or an http(s) URL) as a dataset.")
    headroom.add_argument("source", metavar="FILE_OR_URL")
    headroom.add_argument("--dataset-id", required=True)
    feeder = command("import-lv-feeder", cmd_import_lv_feeder,
                     "Import an SSEN LV-feeder half-hourly CSV (streamed; any size) as a time-series dataset.")
    feeder.add_argument("source", metavar="FILE")
    feeder.add_argument("--lookup", help="SSEN's LV-feeder postcode lookup CSV, joined by dataset_id")
    feeder.add_argument("--dataset-id", required=True)
    harvest = command("harvest", cmd_harvest, "Harvest each operator's newest headroom release into the catalogue "
                      "(a new version per operator when it changed, with its change layer).")
    harvest.add_argument("--operator", action="append", help="only this portal (ssen, nged, ukpn, npg, enwl, spen); "
                         "repeat for several")
    harvest.add_argument("--portal", action="append", type=_portal_address, metavar="KEY=URL",
                         help="read a portal from another address")
    harvest.add_argument("--every", type=_interval, metavar="INTERVAL",
                         help="keep running, harvesting every INTERVAL (1d, 6h, 30m)")
    harvest.add_argument("--synthetic", action="store_true", help="mark the harvested records synthetic (demo portals)")
    revoke = command("revoke-token", cmd_revoke_token, "Revoke a user's API tokens.")
    revoke.add_argument("--user", required=True)
    revoke.add_argument("--org", help="only the user's tokens for this organisation")
    audit = command("audit", cmd_audit, "Print the audit log: who uploaded, replaced or deleted which dataset.")
    audit.add_argument("--dataset", help="only this dataset")
    audit.add_argument("--limit", type=int, default=1000)
    token = command("create-token", cmd_create_token, "Create an API token (printed once, stored hashed).")
    token.add_argument("--user", required=True)
    token.add_argument("--org", required=True, help="the organisation whose restricted datasets it may read")
    token.add_argument("--role", required=True, choices=["viewer", "editor", "admin"])
    token.add_argument("--expires-days", type=int, help="valid for this many days (default: until revoked)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (FormatError, OutdatedCatalogue, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
