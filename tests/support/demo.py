"""Facts about the demo catalogue that several tests share."""

DATASETS = {
    "oxon-districts", "oxon-msoa", "ssen-headroom", "ssen-primary-areas", "flex-zones", "substation-load-hh",
    "flex-events", "leo-mvs-leod041f06", "leo-price-2019-01-23",
}
PRIMARIES = 55
