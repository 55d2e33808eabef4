"""The lint layer: the engine that runs the rules over files (engine.py) and what it yields
(results.py); one record (records.py), worker processes (parallel.py), the corpus stage
(corpus.py), model scoring and its cache (model_scoring.py), review decisions (waivers.py)."""

from sftlint.lint.engine import CORPUS_CODES, MODEL_CODES, TOKEN_CODES, Engine
from sftlint.lint.parallel import PARALLEL_MIN_BYTES, exit_with_parent
from sftlint.lint.records import Processor, make_counter
from sftlint.lint.results import ExampleSummary, FileResult, LateFindings, LintResult, RecordResult

__all__ = ["CORPUS_CODES", "MODEL_CODES", "PARALLEL_MIN_BYTES", "TOKEN_CODES", "Engine", "ExampleSummary", "FileResult",
           "LateFindings", "LintResult", "Processor", "RecordResult", "exit_with_parent", "make_counter"]
