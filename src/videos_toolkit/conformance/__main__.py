import os
import signal
import sys

from videos_toolkit.conformance.cli import INTERRUPTED_EXIT, main

code = main()
if code == INTERRUPTED_EXIT:
    # Die of the SIGINT, reports written: a shell loop over runs stops only for a child that did.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
sys.exit(code)
