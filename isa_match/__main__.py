"""``python -m isa_match`` runs the ``isa-match`` command."""

import sys

from isa_match.cli import main

sys.exit(main())
