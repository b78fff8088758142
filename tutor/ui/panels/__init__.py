"""One panel per demo: its inputs and its output. The demo screen shows one, or one tab each."""

from __future__ import annotations

from importlib import import_module

# demo name -> "module:Panel"; imported only when the demo opens, so start-up stays light.
PANELS = {
    "tokenize": "tutor.ui.panels.tokenize:TokenizePanel",
    "embed": "tutor.ui.panels.tables:EmbedPanel",
    "window": "tutor.ui.panels.tables:WindowPanel",
    "model": "tutor.ui.panels.tables:ModelPanel",
    "attend": "tutor.ui.panels.attend:AttendPanel",
    "generate": "tutor.ui.panels.generate:GeneratePanel",
    "pretrain": "tutor.ui.panels.pretrain:PretrainPanel",
}


def panel_class(name: str):
    """The panel that draws demo ``name``; a demo without its own panel gets the generic one."""
    if name not in PANELS:
        from functools import partial

        from tutor.demos import get_demo
        from tutor.ui.panels.generic import GenericPanel

        get_demo(name)  # an unknown name is a TutorError naming the demos there are
        return partial(GenericPanel, name)
    module, _, attr = PANELS[name].partition(":")
    return getattr(import_module(module), attr)
