"""Bundled YAML profiles, one per regime and level."""
