"""Project LEO's data-cleaning rules written again with pandas, the way its own tool applies them
(projectleodata/project-leo-data-tools, data-cleaning/scripts/dash_timeseriesClean.py): the series reindexed on
its most common step (``fix_missing_timestamp_index``), runs of NaN labelled by length (``err_nan_blocks``:
1–2 miss_val, 3–10 mul_miss_val, more than 10 large_gap), ``|zscore| > 5`` with NaN left out (``err_out_blocks``),
and text where numbers belong. LEO for QGIS's counts are checked against these."""

from __future__ import annotations

import pandas as pd

LABELS = ("miss_val", "mul_miss_val", "outlier", "large_gap", "fmt_err")


def reference_counts(frame: pd.DataFrame, times: pd.Series, columns: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per column and label: (readings flagged, runs)."""
    indexed = frame[columns].set_index(pd.DatetimeIndex(times))
    step = indexed.index.to_series().diff().mode()[0]
    indexed = indexed.reindex(pd.date_range(indexed.index[0], indexed.index[-1], freq=step))
    counts = {}
    for column in columns:
        cells = indexed[column]
        numbers = pd.to_numeric(cells, errors="coerce")
        text = cells.notna() & numbers.isna()
        missing = cells.isna()
        found = {label: [0, 0] for label in LABELS}
        blocks = (missing != missing.shift()).cumsum()
        for size in missing.groupby(blocks).sum()[missing.groupby(blocks).first()]:
            label = "miss_val" if size <= 2 else "mul_miss_val" if size <= 10 else "large_gap"
            found[label][0] += int(size)
            found[label][1] += 1
        z = (numbers - numbers.mean()) / numbers.std(ddof=0)
        for label, flagged in (("outlier", z.abs() > 5), ("fmt_err", text)):
            found[label][0] += int(flagged.sum())
            found[label][1] += int((flagged & ~flagged.shift(fill_value=False)).sum())
        counts[column] = {label: (n, runs) for label, (n, runs) in found.items()}
    return counts
