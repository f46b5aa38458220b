import sys

from videos_toolkit.conformance.cli import main

sys.exit(main())
