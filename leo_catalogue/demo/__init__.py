"""The deterministic Oxfordshire demo catalogue: real public files plus synthetic network data."""
