"""The facts established about a case: the record every fact module writes into and the rules read."""

from __future__ import annotations

from dataclasses import dataclass, field

from certdoctor.kb import FactValue
from certdoctor.symptoms import Recognition
from certdoctor.x509.findings import Finding


@dataclass
class Fact:
    """One established fact: a name from knowledge/facts.yaml, its value and what it is about.

    Internal (never read from outside), so a dataclass: seventy of these per diagnosis need no validation.
    """

    name: str
    value: FactValue
    source: str
    params: dict[str, str] = field(default_factory=dict)
    message: str = ""
    ok: bool | None = None

    def engine_form(self) -> dict[str, object]:
        """The dict asserted into the rules engine (no reserved 'id'/'sid' keys)."""
        return {"name": self.name, "value": self.value, "params": dict(self.params)}


@dataclass
class Facts:
    """Everything established about a case, plus what the pasted text did not match."""

    items: list[Fact] = field(default_factory=list)
    recognition: Recognition = field(default_factory=Recognition)

    def values(self) -> dict[str, list[FactValue]]:
        """Every value each fact name has (one per instance), as the rules' Python twin reads them."""
        values: dict[str, list[FactValue]] = {}
        for f in self.items:
            values.setdefault(f.name, []).append(f.value)
        return values

    def add(
        self,
        name: str,
        value: FactValue,
        source: str,
        message: str = "",
        /,
        *,
        ok: bool | None = None,
        **params: object,
    ) -> None:
        """Record one fact instance."""
        self.items.append(
            Fact(
                name=name,
                value=value,
                source=source,
                message=message,
                ok=ok,
                params={k: str(v) for k, v in params.items()},
            )
        )

    def known(self) -> set[str]:
        """Names of the facts established."""
        return {f.name for f in self.items}

    def findings(self) -> list[Finding]:
        """The certificate checks that ran, as findings (pass and fail)."""
        return [
            Finding(
                severity="pass" if f.ok else "error",
                code=f.name,
                message=f.message,
                certificate=f.params.get("certificate") or f.params.get("node"),
            )
            for f in self.items
            if f.source == "certificates" and f.message and f.ok is not None
        ]
