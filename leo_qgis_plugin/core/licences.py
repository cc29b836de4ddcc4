"""Licences offered when sharing a layer through the catalogue (any other text is accepted too)."""

LICENCES = (
    "Open Government Licence v3.0",
    "Creative Commons Attribution 4.0 (CC BY 4.0)",
    "Open Data Commons Open Database License (ODbL)",
    "SSEN Open Data",
    "Project LEO consortium only",
    "All rights reserved",
)
