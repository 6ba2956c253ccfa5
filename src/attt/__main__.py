"""``python -m attt``: the same entry point as the ``attt`` script."""

from attt.cli import main

# Guarded: a worker process (attt.host_processes, started with spawn) never runs the command.
if __name__ == "__main__":
    main()
