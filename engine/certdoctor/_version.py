"""The one place the certdoctor version is written."""

__version__ = "0.1.0"
