"""The tutor: spaced-repetition decks about LLMs, with live demos on a from-scratch GPT.

The core (everything in this package outside ``tutor.ui``) never imports Textual, and nothing here
imports torch until a demo runs.
"""

__version__ = "0.1.0"
