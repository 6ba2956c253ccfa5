"""``python -m attt``: the same entry point as the ``attt`` script."""

from attt.cli import main

main()
