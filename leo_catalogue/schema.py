"""Tables: the catalogue of records, its keyword and full-text indexes, and one table per dataset."""

from __future__ import annotations

import re

from geoalchemy2 import Geometry
from sqlalchemy import Column, Float, Index, Integer, LargeBinary, MetaData, Table, Text, text
from sqlalchemy.engine import Connection

from leo_qgis_plugin.core.formats.fields import FieldDef

from .types import SQL_TYPES, JSONType, UTCDateTime

# Bump when the catalogue tables change shape; older databases are then refused with a message.
SCHEMA_VERSION = "5"  # 3: API tokens; 4: dataset versions, the audit log, token expiry; 5: each version's access
# Versions whose databases are brought up to date in place (only new tables and columns were added since).
MIGRATABLE_VERSIONS = {"3", "4"}

metadata = MetaData()

catalogue_meta = Table(
    "catalogue_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

records = Table(
    "records",
    metadata,
    # An integer key so SQLite's full-text index can share the row id (fast joins).
    Column("num", Integer, primary_key=True, autoincrement=True),
    Column("id", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("keywords", JSONType, nullable=False),
    Column("themes", JSONType, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("licence", Text, nullable=False),
    Column("licence_url", Text, nullable=False, default=""),
    Column("attribution", Text, nullable=False),
    Column("provenance", Text, nullable=False),
    Column("publisher", Text, nullable=False),
    Column("organisation", Text, nullable=False, default=""),
    Column("kind", Text, nullable=False),
    Column("update_frequency", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("access", Text, nullable=False, index=True),
    Column("updated", UTCDateTime, nullable=False, index=True),
    Column("minx", Float),
    Column("miny", Float),
    Column("maxx", Float),
    Column("maxy", Float),
    Column("time_start", UTCDateTime, index=True),
    Column("time_end", UTCDateTime, index=True),
    Column("geometry_type", Text),
    Column("fields", JSONType, nullable=False),
    Column("time_field", Text),
    Column("time_start_field", Text),
    Column("time_end_field", Text),
    Column("site_field", Text),
    Column("feature_count", Integer, nullable=False, default=0),
    Column("table_name", Text),
    Column("notes", JSONType, nullable=False),
)
Index("ix_records_title", records.c.title)
# The web portal's facets: one covering index to count records by access, kind, provenance, publisher and
# licence without reading the table (a GROUP BY over 100,000 records in 20 ms instead of 220 ms).
FACETS_INDEX = Index("ix_records_facets", records.c.access, records.c.kind, records.c.provenance, records.c.publisher,
                     records.c.licence)

# API tokens: only a SHA-256 of each token is kept; the token itself is shown once, when created.
api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("user", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("expires", UTCDateTime),  # None: never
)

# Every stored version of a dataset: uploads keep earlier versions (their tables stay until deleted).
dataset_versions = Table(
    "dataset_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Text, nullable=False, index=True),
    Column("version", Text, nullable=False),
    Column("table_name", Text, nullable=False),
    Column("fields", JSONType, nullable=False),
    Column("feature_count", Integer, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("user", Text, nullable=False, default=""),
    Column("organisation", Text, nullable=False, default=""),
    # Each version keeps the access level and record it was published with (title, licence, time fields...).
    Column("access", Text),
    Column("record", JSONType),
)

# Who uploaded, replaced or deleted what, and when.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("user", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("dataset_id", Text, nullable=False, index=True),
    Column("version", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)

record_keywords = Table(
    "record_keywords",
    metadata,
    Column("record_id", Text, nullable=False, index=True),
    Column("keyword", Text, nullable=False, index=True),
)
# Keyword facets read each matching record's keywords from the index alone.
KEYWORDS_INDEX = Index("ix_record_keywords_record_keyword", record_keywords.c.record_id, record_keywords.c.keyword)

GEOMETRY_COLUMN = "geom"
ID_COLUMN = "fid"


def create_catalogue_schema(conn: Connection) -> None:
    """Create the catalogue tables and the full-text index if they do not exist."""
    metadata.create_all(conn)
    for index in (FACETS_INDEX, KEYWORDS_INDEX):  # added after schema 4: made in databases that lack them
        index.create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":
        conn.execute(text(
            # rowid = records.num. access is indexed too, so visibility filters stay inside the index.
            "CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5("
            "title, description, keywords, access, tokenize='porter unicode61', prefix='2 3')"
        ))
        # Titles of public records alone: ranking title matches here is three times cheaper than
        # with a column filter on records_fts, which matters for broad words (see search.py).
        conn.execute(text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS records_title_fts USING fts5("
            "title, tokenize='porter unicode61', prefix='2 3')"
        ))
    else:
        # The words stored, not an index on the expression: ranking then reads them instead of parsing every
        # matching record's text again (ten times faster for a word in a quarter of 100,000 records).
        conn.execute(text(
            "ALTER TABLE records ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED"
        ))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_records_search_vector ON records USING GIN (search_vector)"))
        conn.execute(text("DROP INDEX IF EXISTS ix_records_fulltext"))


def table_name_for(dataset_id: str, version: str) -> str:
    """A safe SQL table name for one version of a dataset."""
    slug = re.sub(r"[^a-z0-9]+", "_", dataset_id.lower()).strip("_")[:40]
    ver = re.sub(r"[^a-z0-9]+", "_", version.lower())[:16]
    return f"d_{slug}_v{ver}"


def dataset_table(name: str, fields: list[FieldDef], spatial_index: bool = False) -> Table:
    """The SQLAlchemy table of a dataset: fid, geometry (nullable), then the typed fields."""
    return Table(
        name,
        MetaData(),
        Column(ID_COLUMN, Integer, primary_key=True, autoincrement=True),
        Column(GEOMETRY_COLUMN, Geometry("GEOMETRY", srid=4326, spatial_index=spatial_index)),
        *[Column(f.name, SQL_TYPES[f.type]) for f in fields],
    )


WKB_TYPE = LargeBinary
