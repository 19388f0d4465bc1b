"""``python -m dlstudio``: the same as the ``dlstudio`` command."""

import sys

from dlstudio.cli import main

sys.exit(main())
