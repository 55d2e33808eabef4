"""sftlint: lint, review and export chat fine-tuning data."""

__version__ = "0.1.0"
