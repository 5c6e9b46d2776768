"""Knowledge base data (YAML), shipped as package data of certdoctor; no code lives here."""
