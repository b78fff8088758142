"""The engine package loads lazily: the tokenizer (and ``import engine``) come without torch."""

import subprocess
import sys

import pytest

import engine


def test_importing_engine_or_its_tokenizer_does_not_import_torch():
    code = (
        "import sys, engine\n"
        "from engine.tokenizer import get_tokenizer\n"
        "from engine import END_OF_TEXT_ID, token_pieces\n"
        "assert get_tokenizer().encode('Hello') == [15496]\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "from engine import GPTModel\n"
        "assert 'torch' in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_every_public_name_resolves_from_the_module_that_defines_it():
    assert engine.__all__ == sorted(engine._WHERE)
    for name, module in engine._WHERE.items():
        value = getattr(engine, name)
        assert getattr(sys.modules[f"engine.{module}"], name) is value
    assert set(engine.__all__) <= set(dir(engine))
    with pytest.raises(AttributeError, match="no_such_name"):
        engine.no_such_name  # noqa: B018
