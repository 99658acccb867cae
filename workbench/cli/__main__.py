"""``python -m workbench.cli``: the same as the ``workbench`` command."""

from . import main

raise SystemExit(main())
