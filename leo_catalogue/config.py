"""Where the catalogue keeps its database and files, from the environment or defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEO_VAR_DIR", PROJECT_ROOT / "var"))
DEFAULT_PORT = 8765


def default_database_url() -> str:
    """``LEO_DATABASE_URL`` if set, else a SpatiaLite file under the project's ``var/``."""
    url = os.environ.get("LEO_DATABASE_URL")
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'leo_catalogue.sqlite'}"


def default_port() -> int:
    """``LEO_PORT`` if set, else 8765."""
    return int(os.environ.get("LEO_PORT", DEFAULT_PORT))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}.") from None


@dataclass(frozen=True)
class ServerLimits:
    """What one request, and one client, may cost the server (each from the environment variable named)."""

    statement_timeout_ms: int = 20_000          # LEO_STATEMENT_TIMEOUT_MS: any one statement of a read
    upload_statement_timeout_ms: int = 600_000  # LEO_UPLOAD_STATEMENT_TIMEOUT_MS: a statement storing an upload
    db_connections: int = 8                     # LEO_DB_CONNECTIONS: open at once; requests queue for one
    downloads_per_client: int = 2               # LEO_DOWNLOADS_PER_CLIENT: downloads at once per token or address
    page_megabytes: int = 32                    # LEO_MAX_PAGE_MB: a page of items stops short of this (next link)
    cors_origins: tuple[str, ...] = ()          # LEO_CORS_ORIGINS: comma-separated origins, or *, for reads

    @classmethod
    def from_environment(cls) -> ServerLimits:
        origins = tuple(o.strip() for o in os.environ.get("LEO_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            statement_timeout_ms=_env_int("LEO_STATEMENT_TIMEOUT_MS", cls.statement_timeout_ms),
            upload_statement_timeout_ms=_env_int("LEO_UPLOAD_STATEMENT_TIMEOUT_MS", cls.upload_statement_timeout_ms),
            db_connections=_env_int("LEO_DB_CONNECTIONS", cls.db_connections),
            downloads_per_client=_env_int("LEO_DOWNLOADS_PER_CLIENT", cls.downloads_per_client),
            page_megabytes=_env_int("LEO_MAX_PAGE_MB", cls.page_megabytes),
            cors_origins=origins,
        )
