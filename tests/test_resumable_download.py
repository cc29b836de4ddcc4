"""A download cut short resumes where it stopped, or leaves nothing: the plugin's download into its cache against
a real local endpoint that cuts its answers short."""

from __future__ import annotations

import os

import pytest
from qgis.core import QgsFeedback

from leo_qgis_plugin.core.exceptions import NetworkError
from leo_qgis_plugin.core.resumable import fetch_resumable

from .support.ranged_files import RangedFileServer

BODY = os.urandom(3_000_000)


def test_a_download_cut_short_resumes_with_a_range_and_is_whole(tmp_path):
    target = tmp_path / "v1.gpkg"
    progress = []
    feedback = QgsFeedback()
    feedback.progressChanged.connect(progress.append)
    with RangedFileServer(BODY, cuts=2, cut_after=700_000) as server:
        fetch_resumable(f"{server.url}/file", target, feedback=feedback)
    assert target.read_bytes() == BODY
    assert server.requests == [(None, None), ("bytes=700000-", '"v1"'), ("bytes=1400000-", '"v1"')]
    assert not list(tmp_path.glob("*.part*"))
    assert progress and max(progress) == pytest.approx(100.0)


def test_a_part_left_by_an_earlier_run_is_resumed(tmp_path):
    target = tmp_path / "v1.gpkg"
    (tmp_path / "v1.gpkg.part").write_bytes(BODY[:1_000_000])
    (tmp_path / "v1.gpkg.part.etag").write_text('"v1"')
    with RangedFileServer(BODY) as server:
        fetch_resumable(f"{server.url}/file", target)
    assert target.read_bytes() == BODY
    assert server.requests == [("bytes=1000000-", '"v1"')]


def test_a_part_of_an_older_file_is_replaced_by_the_whole_new_one(tmp_path):
    target = tmp_path / "v1.gpkg"
    (tmp_path / "v1.gpkg.part").write_bytes(b"x" * 1000)
    (tmp_path / "v1.gpkg.part.etag").write_text('"v0"')
    with RangedFileServer(BODY, etag='"v2"') as server:
        fetch_resumable(f"{server.url}/file", target)
    assert target.read_bytes() == BODY  # If-Range did not match: the server sent it all (200)
    assert server.requests == [("bytes=1000-", '"v0"')]


def test_a_complete_part_whose_range_is_past_the_end_starts_again(tmp_path):
    target = tmp_path / "v1.gpkg"
    (tmp_path / "v1.gpkg.part").write_bytes(BODY + b"extra")
    (tmp_path / "v1.gpkg.part.etag").write_text('"v1"')
    with RangedFileServer(BODY) as server:
        fetch_resumable(f"{server.url}/file", target)
    assert target.read_bytes() == BODY
    assert server.requests == [(f"bytes={len(BODY) + 5}-", '"v1"'), (None, None)]


def test_a_cut_download_the_server_cannot_resume_leaves_nothing(tmp_path):
    target = tmp_path / "v1.gpkg"
    with RangedFileServer(BODY, cuts=1, cut_after=500_000, ranges=False) as server:
        with pytest.raises(NetworkError, match="cut short"):
            fetch_resumable(f"{server.url}/file", target)
    assert list(tmp_path.iterdir()) == []


def test_a_download_cut_short_every_time_gives_up_and_keeps_the_part_for_later(tmp_path):
    target = tmp_path / "v1.gpkg"
    with RangedFileServer(BODY, cuts=100, cut_after=100_000) as server:
        with pytest.raises(NetworkError):
            fetch_resumable(f"{server.url}/file", target)
    assert not target.exists()
    assert (tmp_path / "v1.gpkg.part").read_bytes() == BODY[:400_000]  # four attempts of 100,000 bytes
    with RangedFileServer(BODY) as server:  # the next add of the dataset
        fetch_resumable(f"{server.url}/file", target)
    assert target.read_bytes() == BODY and server.requests == [("bytes=400000-", '"v1"')]


def test_a_cancelled_download_raises_and_leaves_no_file_in_place(tmp_path):
    target = tmp_path / "v1.gpkg"
    feedback = QgsFeedback()
    feedback.cancel()
    with RangedFileServer(BODY) as server:
        with pytest.raises(NetworkError, match="Cancelled"):
            fetch_resumable(f"{server.url}/file", target, feedback=feedback)
    assert not target.exists()
