"""A GPT built from scratch in PyTorch, the way *Build a Large Language Model (From Scratch)* builds it.

One concept a module, the book's names. This package imports torch and never imports ``tutor`` or Textual.
"""

from engine.tokenizer import END_OF_TEXT, END_OF_TEXT_ID, TokenPiece, get_tokenizer, token_pieces

__all__ = ["END_OF_TEXT", "END_OF_TEXT_ID", "TokenPiece", "get_tokenizer", "token_pieces"]
