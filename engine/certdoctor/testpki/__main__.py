"""``python -m certdoctor.testpki examples OUTDIR``: write the README example certificate set."""

import sys

from certdoctor.testpki.examples import main

sys.exit(main())
