"""Data quality with Project LEO's labels and their meaning: the counts LEO for QGIS gives equal those of a
pandas implementation of Project LEO's cleaning rules, on Project LEO's real files and on files made with runs
of every length; the summary is kept in the layer's metadata, given back by api.quality and carried by
flex_baseline's results."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pandas as pd
import pytest

from leo_qgis_plugin import api
from leo_qgis_plugin.core.formats.leo_trial import field_name, read_meter_file
from leo_qgis_plugin.core.formats.quality import Label, series_quality
from leo_qgis_plugin.core.open_files import open_file

from .support.leo_cleaning import reference_counts
from .support.servers import ROOT

LEO = ROOT / "leo_catalogue/data/real/leo"
METER = LEO / "MVSA1_2_1_P11_LCH_01092020_LEOD041F06.txt"
ERROR_TESTING = LEO / "error_testing_smallest.csv"  # Project LEO's own test file for its cleaning tool


def ours(table) -> dict[str, dict[str, tuple[int, int]]]:
    return {name: {label.value: (column.flagged[label], column.runs[label]) for label in Label}
            for name, column in table.quality.columns.items()}


def pandas_counts(path, separator: str) -> dict[str, dict[str, tuple[int, int]]]:
    frame = pd.read_csv(path, sep=separator, dtype=str)
    times = pd.to_datetime(frame["Date"] + " " + frame["Time"], format="%d/%m/%Y %H:%M:%S")
    columns = list(frame.columns[2:])
    return {field_name(c): counts for c, counts in reference_counts(frame, times, columns).items()}


@pytest.mark.parametrize("path,separator", [(METER, "\t"), (ERROR_TESTING, ",")])
def test_counts_on_project_leos_real_files_equal_the_cleaning_tools_rules(path, separator):
    table = read_meter_file(path.read_bytes(), path.name)
    assert ours(table) == pandas_counts(path, separator)


def test_what_project_leos_real_files_hold():
    meter = read_meter_file(METER.read_bytes()).quality
    # 2,295 readings every 5 seconds, none missing; spikes (z > 5) in 11 of the 141 columns.
    assert meter.totals() == {Label.MISS_VAL: 0, Label.MUL_MISS_VAL: 0, Label.OUTLIER: 173, Label.LARGE_GAP: 0,
                              Label.FMT_ERR: 0}
    assert sum(1 for c in meter.columns.values() if c.flagged[Label.OUTLIER]) == 11
    assert meter.columns["thd_a_n_min"].flagged[Label.OUTLIER] == 34 and meter.first_gap is None
    tool_file = read_meter_file(ERROR_TESTING.read_bytes()).quality  # comma-separated, 1-second readings
    assert tool_file.totals() == {Label.MISS_VAL: 13, Label.MUL_MISS_VAL: 21, Label.OUTLIER: 18, Label.LARGE_GAP: 28,
                                  Label.FMT_ERR: 0}
    assert tool_file.columns["peak_voltage_l1n_avg"].runs[Label.LARGE_GAP] == 1  # 12 empty cells: one large gap
    assert str(tool_file.first_gap.start) == "2019-11-17 23:59:06+00:00" and tool_file.first_gap.readings == 12


def made_file(separator: str = "\t") -> bytes:
    """A meter file with runs of every length from 1 to 12 of empty cells in one column, rows absent (a reading
    missing from every column) in runs of 1, 2, 3, 10 and 11, a spike and text where a number belongs."""
    start = datetime(2020, 1, 6, 8, 0, 0)
    power = []
    for length in range(1, 13):
        power += [f"{5 + (n % 4) * 0.25}" for n in range(6)] + [""] * length
    absent_from = len(power) + 2
    power += ["5.5"] * 60 + ["4000"] + ["5.25"] * 20 + ["#VALUE!", "abc", "5"]
    absent, at = set(), absent_from
    for length in (1, 2, 3, 10, 11):
        absent.update(range(at, at + length))
        at += length + 3
    rows = []
    for n, value in enumerate(power):
        if n not in absent:
            stamp = start + timedelta(seconds=5 * n)
            rows.append(separator.join([f"{stamp:%d/%m/%Y}", f"{stamp:%H:%M:%S}", value, f"{240 + n % 7 * 0.1:.1f}"]))
    return "\r\n".join([separator.join(["Date", "Time", "Power", "Voltage"])] + rows).encode() + b"\r\n"


@pytest.mark.parametrize("separator", ["\t", ","])
def test_runs_of_every_length_are_labelled_as_the_cleaning_tool_does(separator):
    data = made_file(separator)
    table = read_meter_file(data, "made.txt")
    assert ours(table) == pandas_counts(io.BytesIO(data), separator)
    power, voltage = table.quality.columns["power"], table.quality.columns["voltage"]
    runs = (Label.MISS_VAL, Label.MUL_MISS_VAL, Label.LARGE_GAP)
    # Empty cells: runs of 1-2 (miss_val), 3-10 (mul_miss_val), 11-12 (large_gap); and the absent rows.
    assert [power.runs[label] for label in runs] == [2 + 2, 8 + 2, 2 + 1]
    assert [power.flagged[label] for label in runs] == [1 + 2 + 1 + 2, sum(range(3, 11)) + 3 + 10, 11 + 12 + 11]
    assert power.flagged[Label.OUTLIER] == 1 and power.flagged[Label.FMT_ERR] == 2
    # Absent rows are missing readings of every column: runs of 1, 2, 3, 10 and 11.
    assert [voltage.runs[label] for label in runs] == [2, 2, 1] and voltage.flagged[Label.OUTLIER] == 0


def test_labels_count_readings_whatever_the_resolution():
    for step in (timedelta(seconds=1), timedelta(minutes=30), timedelta(days=1)):
        stamps = [datetime(2024, 1, 1) + step * n for n in range(40)]
        values = [1.0] * 5 + [None] * 2 + [1.0] * 5 + [None] * 3 + [1.0] * 5 + [None] * 11 + [1.0] * 9
        column = series_quality(stamps, {"v": values}).columns["v"]
        assert [column.runs[label] for label in (Label.MISS_VAL, Label.MUL_MISS_VAL, Label.LARGE_GAP)] == [1, 1, 1]


def test_format_errors_in_text_columns_follow_the_tools_case_and_spacing():
    stamps = [datetime(2024, 1, 1, 0, n) for n in range(6)]
    names = ["DUNCRAIG ROAD", "ABINGDON", "Cowley", "ABINGDON ", "HEADINGTON  EAST", None]
    column = series_quality(stamps, {"name": names}, frozenset({"name"})).columns["name"]
    assert column.flagged[Label.FMT_ERR] == 3  # another case, a trailing space, a doubled space
    assert column.flagged[Label.MISS_VAL] == 1


def test_the_summary_is_kept_in_the_layer_shown_and_given_back(project):
    opened = open_file(ERROR_TESTING)
    assert "miss_val 13, mul_miss_val 21, outlier 18, large_gap 28" in opened.message()
    history = opened.layer.metadata().history()
    assert history[0].startswith("Data quality (Project LEO's labels") and any("peak_voltage_l2n_avg" in h for h in history)
    summary = api.quality(opened.layer)
    assert summary.totals() == opened.quality.totals()
    # Asked of the layer's features (another field set), the same rules give the same counts.
    fresh = api.quality(opened.layer, ["peak_voltage_l3n_avg", "peak_voltage_l1n_avg"])
    stored = opened.quality.columns
    assert fresh.columns["peak_voltage_l3n_avg"].flagged == stored["peak_voltage_l3n_avg"].flagged
    from leo_qgis_plugin.core.layer_quality import layer_quality

    opened.layer.setCustomProperty("leo_qgis/quality", "")  # nothing kept: worked out from the features
    recomputed = layer_quality(opened.layer)
    assert {n: c.flagged for n, c in recomputed.columns.items()} == {n: c.flagged for n, c in stored.items()}
    with pytest.raises(Exception, match="has no field 'kw'"):
        api.quality(opened.layer, ["kw"])


def test_a_catalogue_datasets_notes_go_in_its_layer_metadata(project, sqlite_server):
    layer = api.add_dataset(api.connect(sqlite_server.url), "substation-load-hh", mode="live")
    assert any("Bampton has a gap" in line for line in layer.metadata().history())
