"""cartq: look up sourced facts about CAR-T cell therapy in China."""

__version__ = "1.0.0"
