import sys

from videos_toolkit.mock.cli import main

sys.exit(main())
