"""Where the catalogue keeps its database and files, from the environment or defaults."""

from __future__ import annotations

import os
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
