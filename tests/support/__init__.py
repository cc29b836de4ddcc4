"""Helpers that start real services for the tests: catalogue servers, PostgreSQL, faulty endpoints."""
