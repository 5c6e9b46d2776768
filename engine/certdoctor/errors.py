"""Errors certdoctor raises for bad input: always one line naming the file and the problem."""

from __future__ import annotations


class CertdoctorError(Exception):
    """Base class for every error certdoctor reports to a user instead of a traceback."""


class InputError(CertdoctorError):
    """A file or value the user gave cannot be used; the message names it and says why."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")
