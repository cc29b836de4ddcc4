"""The HTTP API: OGC API Common, Records and Features, and downloads."""
