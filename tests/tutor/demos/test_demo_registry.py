"""The registry: names and arguments the decks link to, link validation, and no torch until a demo runs."""

import subprocess
import sys

import pytest

from tutor.demos import DEMOS, get_demo, run_demo, validate_link
from tutor.errors import TutorError

CONTRACT = {
    "tokenize": ["text"],
    "embed": ["text", "dimensions"],
    "window": ["text", "max_length", "stride", "batch_size"],
    "attend": ["text", "mode", "heads", "dropout", "weights", "layer", "head"],
    "generate": ["prompt", "max_new_tokens", "temperature", "top_k", "top_p", "seed", "weights"],
    "model": ["config"],
    "pretrain": ["corpus", "config", "steps", "epochs", "seed", "preset"],
}


def test_every_demo_is_registered_with_the_agreed_arguments():
    assert set(DEMOS) == set(CONTRACT)
    for name, args in CONTRACT.items():
        demo = get_demo(name)
        assert demo.name == name
        assert list(demo.args)[: len(args)] == args
        assert demo.description.endswith(".") and 2 <= demo.chapter <= 5 and demo.section
    assert {name for name, demo in DEMOS.items() if demo.streams} == {"generate", "pretrain"}


def test_importing_the_demos_does_not_import_torch():
    code = (
        "import sys\n"
        "import tutor.demos, tutor.cli.demo\n"
        "from tutor.demos import validate_link\n"
        "validate_link('generate', {'prompt': 'Hi', 'temperature': 0.7, 'top_k': 5})\n"
        "validate_link('model', {'config': '124M'})\n"
        "assert 'torch' not in sys.modules and 'engine' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "name, args",
    [
        ("tokenize", {"text": "unhappiness"}),
        ("embed", {}),
        ("embed", {"text": "Your journey", "dimensions": 4}),
        ("window", {"text": "The cat sat on the mat.", "max_length": 4, "stride": 1, "batch_size": 1}),
        ("attend", {"mode": "causal", "dropout": 0.5}),
        ("attend", {"weights": "random", "layer": 11, "head": 11}),
        ("generate", {"prompt": "Every effort moves you", "temperature": 1, "top_p": 1, "top_k": 50}),
        ("model", {"config": "gpt2-small (124M)"}),
        ("model", {"config": "xl"}),
        ("pretrain", {"steps": 20, "seed": 123, "preset": "book"}),
        ("pretrain", None),
    ],
)
def test_valid_links_pass(name, args):
    validate_link(name, args)


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("tokenise", {}, "There is no demo called 'tokenise'; the demos are: attend, embed, generate, model"),
        ("tokenize", {"txt": "a"}, "Demo 'tokenize' has no argument 'txt'; its arguments are: text."),
        ("tokenize", {"text": ""}, "Demo 'tokenize': argument 'text' is empty; give it some text."),
        ("tokenize", {"text": 3}, "Demo 'tokenize': argument 'text' must be text, not int 3."),
        ("window", {"max_length": 2.5}, "argument 'max_length' must be a whole number, not float 2.5."),
        ("window", {"stride": True}, "argument 'stride' must be a whole number, not bool True."),
        ("attend", {"mode": "fancy"}, "argument 'mode' is 'fancy'; choose one of: simple, trainable, causal"),
        ("generate", {"temperature": -0.5}, "argument 'temperature' must be at least 0 and at most 100"),
        ("generate", {"top_k": 0}, "argument 'top_k' must be at least 1, not 0."),
        ("generate", {"top_p": 0}, "argument 'top_p' must be greater than 0 and at most 1, not 0.0."),
        ("generate", {"top_p": 1.2}, "argument 'top_p' must be greater than 0 and at most 1, not 1.2."),
        ("generate", {"temperature": float("nan")}, "argument 'temperature' must be a finite number"),
        ("model", {"config": "gpt5"}, "argument 'config' is 'gpt5'; choose one of: gpt2-small (124M), 124M"),
        ("pretrain", {"preset": "fast"}, "argument 'preset' is 'fast'; choose one of: book."),
        ("embed", ["text"], "its arguments must be a mapping of name: value"),
    ],
)
def test_bad_links_say_what_is_wrong_in_one_sentence(name, args, message):
    with pytest.raises(TutorError) as caught:
        validate_link(name, args)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text and text.endswith(".")


def test_the_functions_check_their_arguments_too():
    from tutor.demos import generate, tokenize

    with pytest.raises(TutorError, match="argument 'text' is empty"):
        tokenize("  ")
    with pytest.raises(TutorError, match="argument 'top_k' must be at least 1"):
        generate("Hello", top_k=0)
    with pytest.raises(TutorError, match="argument 'text' is given twice"):
        tokenize("a", text="b")
    with pytest.raises(TutorError, match="There is no demo called 'nope'"):
        run_demo("nope")


def test_run_demo_fills_in_defaults_and_results_are_plain_json():
    import json

    result = run_demo("tokenize")
    assert result.ids[:3] == [15496, 11, 466]
    assert json.loads(json.dumps(result.to_json()))["count"] == 20
