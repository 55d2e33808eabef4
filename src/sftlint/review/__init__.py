"""The review stage: the Textual app where a reviewer decides on each flagged example (the decisions
journal it writes is `sftlint.journal`)."""
