"""Generated deployments (case file + certificates) for tests, scenarios and benchmarks.

A healthy MRA deployment: a two-node Expressway-C cluster, a two-node Expressway-E cluster, one Unified CM
node, all issued by one private CA (root + issuing CA). Named faults change exactly one thing each, so a
test or scenario can say which documented cause it expects. `FAULTS` maps each such fault to one documented
cause (tests rely on that); `VARIANTS` are further changes for scenarios: look-alikes that are not a fault
(near misses), other file formats, and faults that need a particular layout. Options shape the layout: a
single box instead of a cluster (`c_nodes=1`), only one side (`e_nodes=0`), no Unified CM, another
Jabber domain.

Modules: ``catalogue`` (names, FAULTS, VARIANTS), ``issuing`` (every certificate, fault by fault),
``deployment`` (write_deployment: certs/ and case.yaml), ``upload`` (the file to upload), ``pfx`` (a
password-protected .pfx, byte-identical on every run: the password is ``PFX_PASSWORD``),
``examples`` (the bundled example cases) and ``cli`` (``python -m certdoctor.lab``).
"""

from __future__ import annotations

from certdoctor.lab.catalogue import AT, CUCM_IP, DOMAIN, E_IP, FAULTS, PFX_PASSWORD, VARIANTS, Side
from certdoctor.lab.cli import main
from certdoctor.lab.deployment import write_deployment
from certdoctor.lab.examples import EXAMPLE_CASES, write_examples

__all__ = [
    "AT",
    "CUCM_IP",
    "DOMAIN",
    "EXAMPLE_CASES",
    "E_IP",
    "FAULTS",
    "PFX_PASSWORD",
    "VARIANTS",
    "Side",
    "main",
    "write_deployment",
    "write_examples",
]
