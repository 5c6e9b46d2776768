"""Turn a case and its certificates into flat facts for the rules: the one entry point of the facts package."""

from certdoctor.facts.derivation import derive
from certdoctor.facts.fact import Fact, Facts
from certdoctor.facts.reported import answer_choice, version_tuple, zone_state
from certdoctor.x509.load import LoadedFile

__all__ = ["Fact", "Facts", "LoadedFile", "answer_choice", "derive", "version_tuple", "zone_state"]
