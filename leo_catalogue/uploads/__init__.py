"""Uploads: files people send to the catalogue, checked, read and stored as datasets all-or-nothing."""
