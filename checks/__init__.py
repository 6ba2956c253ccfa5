"""Check library: one module per check id prefix (``ssh.*`` in ssh.py), ``@check`` functions only.

Importing a module registers its checks; the probes they read live in :mod:`attt.probes`.
"""
