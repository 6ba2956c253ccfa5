"""Bundled example inventories."""
