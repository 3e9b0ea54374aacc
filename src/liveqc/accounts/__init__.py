"""Organisations, users, roles, sessions and API tokens."""
