"""SSEN network constraints: headroom overlays and screening of sites against headroom."""
