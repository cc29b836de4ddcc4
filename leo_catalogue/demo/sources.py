"""Paths of the real public files the demo is built from (shipped under leo_catalogue/data/real)."""

from pathlib import Path

REAL_DATA = Path(__file__).resolve().parent.parent / "data" / "real"
BOUNDARIES = REAL_DATA / "oxfordshire_boundaries.gpkg"
LEO_METER = REAL_DATA / "leo" / "MVSA1_2_1_P11_LCH_01092020_LEOD041F06.txt"
LEO_PRICE = REAL_DATA / "leo" / "Price_session2.csv"
