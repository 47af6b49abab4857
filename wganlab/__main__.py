"""``python -m wganlab`` runs the same command line as the ``wganlab`` script."""

from wganlab.cli import main

raise SystemExit(main())
