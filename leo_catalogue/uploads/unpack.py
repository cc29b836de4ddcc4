"""From the file someone sent to the file GDAL opens: format by name and content, zips unpacked safely."""

from __future__ import annotations

import codecs
import zipfile
import zlib
from enum import Enum
from pathlib import Path, PurePosixPath

from .limits import MB, UploadError, UploadLimits


class UploadFormat(str, Enum):
    GPKG = "gpkg"
    SHAPEFILE_ZIP = "zip"
    GEOJSON = "geojson"
    CSV = "csv"


SUFFIXES = {".gpkg": UploadFormat.GPKG, ".zip": UploadFormat.SHAPEFILE_ZIP, ".geojson": UploadFormat.GEOJSON,
            ".json": UploadFormat.GEOJSON, ".csv": UploadFormat.CSV}
ALLOWED = "GeoPackage (.gpkg), zipped Shapefile (.zip), GeoJSON (.geojson) or CSV (.csv)"


def sniff(head: bytes) -> UploadFormat | None:
    """The format the first bytes of a file show: SQLite (GeoPackage), zip, a JSON object; text is CSV."""
    if head.startswith(b"SQLite format 3\0"):
        return UploadFormat.GPKG
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return UploadFormat.SHAPEFILE_ZIP
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return UploadFormat.GEOJSON
    if b"\0" not in head:
        return UploadFormat.CSV
    return None


NAMES = {UploadFormat.GPKG: "a GeoPackage", UploadFormat.SHAPEFILE_ZIP: "a zip file",
         UploadFormat.GEOJSON: "GeoJSON", UploadFormat.CSV: "text (CSV)"}


def upload_format(path: Path, name: str) -> UploadFormat:
    """The format of an uploaded file, from its name, checked against its content: a mismatch is refused (a
    GeoPackage named .csv would otherwise be read as rows of garbage)."""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".shp":
        raise UploadError("A shapefile is several files: send it as a .zip holding the .shp, .shx, .dbf and .prj.")
    if suffix not in SUFFIXES:
        raise UploadError(f"{name!r} is not a format the catalogue takes; send a {ALLOWED}.")
    size = path.stat().st_size
    if size == 0:
        raise UploadError(f"{name!r} is empty (0 bytes).")
    kind = SUFFIXES[suffix]
    with path.open("rb") as stream:
        head = stream.read(4096)
    found = sniff(head)
    if found not in (None, kind, UploadFormat.CSV):
        raise UploadError(f"{name!r} is named {suffix} but its content is {NAMES[found]}: rename it, or send the "
                          "file it should be.")
    if kind is UploadFormat.GPKG and not head.startswith(b"SQLite format 3\0"):
        raise UploadError(f"{name!r} is not a GeoPackage (it is not an SQLite database).")
    if kind is UploadFormat.SHAPEFILE_ZIP and not zipfile.is_zipfile(path):
        raise UploadError(f"{name!r} is not a zip file, or it is damaged.")
    if kind is UploadFormat.GEOJSON and found is not UploadFormat.GEOJSON:
        raise UploadError(f"{name!r} is not GeoJSON (it does not start with a JSON object).")
    if kind is UploadFormat.CSV and found is not UploadFormat.CSV:
        raise UploadError(f"{name!r} is not a CSV text file (it holds binary data).")
    return kind


def csv_as_utf8(path: Path) -> str:
    """Make a CSV file UTF-8 in place; a file that is not UTF-8 is read as Windows-1252 (what Excel writes in
    the UK). The note to keep, or an empty one. UploadError for bytes that are text in neither."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return ""
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UploadError(f"The CSV file is neither UTF-8 nor Windows-1252 text (byte {exc.start}): save it as "
                          "UTF-8.") from None
    path.write_text(text, encoding="utf-8")
    return "The CSV file was not UTF-8; its text was read as Windows-1252."


def _safe_member(name: str) -> PurePosixPath:
    """The entry's path, refused if it could land outside the folder it is unpacked into (zip slip)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UploadError(f"The zip holds an entry with an unsafe path ({name!r}); it was refused.")
    return path


def unpack_shapefile(archive: Path, folder: Path, limits: UploadLimits) -> Path:
    """Unpack a zipped shapefile into ``folder``, guarding against zip slip and zip bombs; the .shp's path."""
    try:
        return _unpack(archive, folder, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise UploadError(f"The zip is damaged or uses a method this server cannot unpack ({exc}).") from None


def _unpack(archive: Path, folder: Path, limits: UploadLimits) -> Path:
    with zipfile.ZipFile(archive) as bundle:
        members = [m for m in bundle.infolist() if not m.is_dir()]
        if len(members) > limits.max_entries:
            raise UploadError(f"The zip holds {len(members)} files; at most {limits.max_entries} are accepted.")
        declared = 0
        for member in members:
            _safe_member(member.filename)
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise UploadError(f"The zip holds a symbolic link ({member.filename!r}); it was refused.")
            declared += member.file_size
            if member.file_size > MB and member.file_size > limits.max_ratio * max(member.compress_size, 1):
                raise UploadError(f"{member.filename!r} would unpack to {member.file_size // MB} MB from "
                                  f"{member.compress_size} bytes: refused as a zip bomb.")
        if declared > limits.max_unpacked_bytes:
            raise UploadError(f"The zip would unpack to {declared // MB} MB; at most "
                              f"{limits.max_unpacked_bytes // MB} MB are accepted.")
        shapes = [m for m in members if m.filename.lower().endswith(".shp")
                  and not PurePosixPath(m.filename).name.startswith(".")]
        if not shapes:
            raise UploadError("The zip holds no shapefile (.shp).")
        if len(shapes) > 1:
            names = ", ".join(m.filename for m in shapes)
            raise UploadError(f"The zip holds {len(shapes)} shapefiles ({names}); send one layer per upload.")
        written = 0
        for member in members:
            target = folder / _safe_member(member.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            # Sizes in the zip's directory can lie: count what really comes out.
            with bundle.open(member) as source, target.open("wb") as out:
                while chunk := source.read(MB):
                    written += len(chunk)
                    if written > limits.max_unpacked_bytes:
                        raise UploadError("The zip unpacks to more than its directory says: refused as a zip bomb.")
                    out.write(chunk)
    shp = folder / _safe_member(shapes[0].filename)
    missing = [suffix for suffix in (".shx", ".dbf") if not _sibling(shp, suffix)]
    if missing:
        raise UploadError(f"The shapefile {shp.name!r} is incomplete: its {' and '.join(missing)} "
                          f"{'is' if len(missing) == 1 else 'are'} missing from the zip.")
    return shp


def _sibling(shp: Path, suffix: str) -> Path | None:
    """The shapefile's companion file with this suffix, in any letter case."""
    for candidate in shp.parent.iterdir():
        if candidate.stem == shp.stem and candidate.suffix.lower() == suffix:
            return candidate
    return None


def dbf_encoding(shp: Path) -> tuple[str | None, str]:
    """(GDAL ENCODING open option or None, note) for a shapefile without a .cpg: Windows-1252 unless its text
    is valid UTF-8 (GDAL would otherwise read it as Latin-1, turning € and curly quotes into junk)."""
    if _sibling(shp, ".cpg"):
        return None, ""
    dbf = _sibling(shp, ".dbf")
    with dbf.open("rb") as stream:
        header = stream.read(32)
        if len(header) == 32 and header[29] != 0:
            return None, ""  # the .dbf names its code page itself (language driver id)
        sample = stream.read(4 * MB)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)  # a sample may end mid-character
        if not sample.isascii():
            return "UTF-8", "The shapefile had no .cpg; its text was read as UTF-8."
    except UnicodeDecodeError:
        pass
    return "CP1252", "The shapefile had no .cpg; its text was read as Windows-1252."
