"""Scans spread over zone workers (``attt worker``) through a broker (``attt scan --broker``).

Celery is imported lazily (``attt[distributed]``): nothing here is loaded by a local scan.
"""
