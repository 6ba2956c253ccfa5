"""The CLI commands, one module per area: plain click commands and groups.

They print through ``_output.echo`` and raise ``AtttError``; ``attt.cli`` registers them on
``main`` and turns an error into its message and exit code.  Like cli.py they are user-facing;
the engine never imports them, and they never import ``attt.cli``.
"""
