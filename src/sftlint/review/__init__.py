"""The review stage: the decisions journal, and the Textual app that writes it."""
