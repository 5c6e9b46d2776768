"""Scenario library tooling: run scenarios as a regression gate, measure knowledge-base coverage, mutate it."""

from certdoctor.scenarios.run import Evaluated, RunReport, ScenarioResult, check, discover, run

__all__ = ["Evaluated", "RunReport", "ScenarioResult", "check", "discover", "run"]
