"""`certdoctor shell`: the interactive TAC session."""
