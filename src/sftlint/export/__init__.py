"""Export: the clean set, what was dropped and why, a leakage-free held-out split.

options.py: what can be asked (light to import); plan.py: where every record goes; writers.py:
writing it, atomically; convert.py: another format rewritten as OpenAI `messages`; exporter.py:
the same for the review UI.
"""
