"""Dependencies point one way: tutor.ui -> tutor core -> engine; torch only once a demo runs."""

import subprocess
import sys

import pytest


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_engine_imports_neither_tutor_nor_textual():
    result = run_python(
        "import sys, engine\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tutor', 'textual')]\n"
        "assert not bad, bad\n"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["tutor", "tutor.cli", "tutor.ui.app"])
def test_tutor_does_not_import_torch(module):
    result = run_python(f"import sys, {module}\nassert 'torch' not in sys.modules\n")
    assert result.returncode == 0, result.stderr


def test_core_works_without_textual():
    """Every module of the core imports with Textual made unimportable."""
    code = (
        "import importlib, pathlib, sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'textual':\n"
        "            raise ImportError('textual is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import tutor\n"
        "root = pathlib.Path(tutor.__file__).parent\n"
        "for file in sorted(root.rglob('*.py')):\n"
        "    parts = file.relative_to(root.parent).with_suffix('').parts\n"
        "    if 'ui' in parts or parts[-1] == '__main__':\n"
        "        continue\n"
        "    importlib.import_module('.'.join(p for p in parts if p != '__init__'))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_version_and_help():
    from tutor import __version__

    version = subprocess.run(
        [sys.executable, "-m", "tutor", "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == f"tutor {__version__}"
    help_ = subprocess.run(
        [sys.executable, "-m", "tutor", "--help"], capture_output=True, text=True, timeout=60
    )
    assert help_.returncode == 0 and "usage: tutor" in help_.stdout


def test_every_core_module_is_under_the_import_contract():
    """lint-imports checks only the modules .importlinter names, so a new core module must be named there."""
    import configparser
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    config = configparser.ConfigParser()
    config.read(root / ".importlinter")
    listed = set(config["importlinter:contract:core"]["source_modules"].split())
    edges = {"__init__", "__main__", "ui", "cli"}
    core = {
        f"tutor.{path.stem}"
        for path in (root / "tutor").iterdir()
        if path.stem not in edges and (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    assert core - listed == set(), "add these to the core contract in .importlinter"
