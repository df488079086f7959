"""The project's own errors: each carries a message fit to show a user as it is.

Every surface (CLI, app, API) catches ``RagError`` and shows ``str(error)``;
anything else escaping is a bug. ``exit_code`` is what the CLI exits with.
"""

from __future__ import annotations


class RagError(Exception):
    """Base of all expected failures. The message names the file, setting or
    command involved and, where there is one, the way out."""

    exit_code = 1


class InputError(RagError):
    """Bad user input: an empty question, an unknown filter value, a bad flag."""

    exit_code = 2


class LoadError(RagError):
    """A file that cannot be read: missing, unknown format, corrupt, too large, no text."""

    exit_code = 3


class ParseError(RagError):
    """Text that was read but holds nothing the parser can use."""

    exit_code = 3


class IndexError_(RagError):
    """The on-disk index is missing, corrupt, or made with another model or format."""

    exit_code = 4


class IndexMissingError(IndexError_):
    """No index yet: the message says how to build one."""


class IndexMismatchError(IndexError_):
    """Index made with another embedding model or format version."""


class IndexCorruptError(IndexError_):
    """Index files truncated, half-written or inconsistent with each other."""


class ModelError(RagError):
    """The embedding, re-ranking or language model cannot be loaded or called."""

    exit_code = 5
