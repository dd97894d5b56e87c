"""Newsroom translation workflow: English articles in, reviewed Kazakh and Russian editions out."""

__version__ = "0.1.0"
