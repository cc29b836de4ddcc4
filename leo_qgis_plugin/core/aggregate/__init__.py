"""Aggregating features into boundaries (districts, MSOAs, any polygons) and multi-scale views."""
