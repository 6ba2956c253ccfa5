"""Organisations: units, their history, the league table of indicators (attt org)."""
