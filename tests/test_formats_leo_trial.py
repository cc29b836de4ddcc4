"""Project LEO trial files: meter logs and prices, read with UK local times turned into UTC."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from leo_qgis_plugin.core.formats.errors import FormatError
from leo_qgis_plugin.core.formats.leo_trial import field_name, read_meter_file, read_price_file

from .conftest import REAL_DATA


def test_the_real_meter_file_reads_every_row_and_column():
    table = read_meter_file((REAL_DATA / "leo" / "MVSA1_2_1_P11_LCH_01092020_LEOD041F06.txt").read_bytes())
    assert len(table.rows) == 2295 and len(table.fields) == 1 + 141
    assert table.rows[0]["timestamp"] == datetime(2019, 11, 18, 11, 45, 43, tzinfo=timezone.utc)
    assert table.rows[0]["voltage_l1n_min"] == 244.845
    assert not table.warnings


def test_the_real_price_file_reads():
    table = read_price_file((REAL_DATA / "leo" / "Price_session2.csv").read_bytes())
    assert [f.name for f in table.fields] == ["timestamp", "price_gbp_per_mwh"]
    assert len(table.rows) == 48


def test_summer_times_are_converted_from_bst():
    data = b"Date\tTime\tPower\r\n01/07/2020\t12:00:00\t5\r\n"
    assert read_meter_file(data).rows[0]["timestamp"] == datetime(2020, 7, 1, 11, 0, tzinfo=timezone.utc)


def test_bad_rows_are_reported_and_the_rest_kept():
    data = b"Date\tTime\tPower\r\n31/02/2020\t12:00:00\t5\r\n01/03/2020\t12:00:00\tabc\r\n"
    table = read_meter_file(data)
    assert len(table.rows) == 1 and table.rows[0]["power"] is None
    assert len(table.warnings) == 2


@pytest.mark.parametrize("data", [b"", b"a,b,c\r\n1,2,3\r\n", b"Date\tTime\tPower\r\n"])
def test_bad_meter_files_are_refused(data):
    with pytest.raises(FormatError):
        read_meter_file(data)


def test_field_names_are_safe_identifiers():
    assert field_name("Price (£/MWh)") == "price_gbp_per_mwh"
    assert field_name("3-Phase kA") == "f_3_phase_ka"
