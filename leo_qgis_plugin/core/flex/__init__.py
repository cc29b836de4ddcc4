"""Flexibility analysis: data-quality flags, bank holidays and baselines for flexibility events."""
