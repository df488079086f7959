"""Cited, verbatim answers from UN resolutions.

The one entry point every surface uses is :class:`rag.pipeline.Pipeline`
(imported lazily so that ``import rag`` stays cheap for the CLI)::

    from rag.pipeline import Pipeline
    answer = Pipeline().ask("What is UNODC asked to do on biometrics?")
    print(answer.answer, answer.citations[0].label)
"""

__version__ = "0.1.0"
