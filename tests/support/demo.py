"""Facts about the demo catalogue that several tests share."""

DATASETS = {
    "oxon-districts", "oxon-msoa", "ssen-headroom", "ssen-primary-areas", "flex-zones", "substation-load-hh",
    "flex-events", "leo-mvs-leod041f06", "leo-price-2019-01-23",
}
# Great Britain's operators (synthetic, in each one's published columns) and their change layers.
GB_OPERATORS = ("ssen", "nged", "ukpn", "npg", "enwl", "spen")
GB_DATASETS = {f"gb-headroom-{key}" for key in GB_OPERATORS} | {f"gb-headroom-{key}-changes" for key in GB_OPERATORS}
PRIMARIES = 55
