"""``python -m certdoctor.lab``: write a generated deployment or the bundled example cases."""

from certdoctor.lab.cli import main

raise SystemExit(main())
