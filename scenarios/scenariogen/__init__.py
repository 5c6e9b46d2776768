"""The generator of the scenario library in scenarios/ (run it with python scenarios/generate.py).

common     the Scenario specification, deployment layouts, the sources cited
texts      log lines and alarms as customers paste them
families/  the specifications, one module per cause family
build      the deployment builder: a case document from certdoctor.lab, certificates into one pool
library    writes the library (staging, pinned outcomes, owned directories)
check      the --check report
"""
