"""What every demo panel shares: inputs built from the demo's arguments, and runs in a thread worker.

The worker imports torch (through the demo) and only posts messages; the handlers here are the only place
that changes what is drawn. Every change of an input starts a new run and cancels the stale one (the
``exclusive`` worker group, plus a ``threading.Event`` the streaming demos check between steps). A run id
on every message lets a late message from a cancelled run be dropped.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Select, Static

from tutor.errors import TutorError


def _field_text(value: Any) -> str:
    return "" if value is None else str(value)


class DemoPanel(Vertical):
    """A demo's inputs, its status line and its output; subclasses draw the result."""

    demo_name: str = ""
    autostart: ClassVar[bool] = True  # run as soon as the panel opens (all but training)

    class Finished(Message):
        def __init__(self, run_id: int, result: Any) -> None:
            super().__init__()
            self.run_id, self.result = run_id, result

    class Step(Message):
        def __init__(self, run_id: int, step: Any) -> None:
            super().__init__()
            self.run_id, self.step = run_id, step

    class Failed(Message):
        def __init__(self, run_id: int, error: str) -> None:
            super().__init__()
            self.run_id, self.error = run_id, error

    def __init__(self, args: dict[str, Any] | None = None, **kwargs) -> None:
        super().__init__(classes="demo-panel", **kwargs)
        from tutor.demos import get_demo

        self.demo = get_demo(self.demo_name)
        self.values: dict[str, Any] = self.demo.defaults | (args or {})
        self.run_id = 0
        self.running = False
        self.cancel_event = threading.Event()
        self.last_result: Any = None

    # Inputs, built from the demo's own argument list so a new argument shows up by itself.

    def compose(self) -> ComposeResult:
        demo = self.demo
        title = Text.assemble((demo.name, "bold"), f" · {demo.section} · {demo.description}")
        heading = Static(title, classes="demo-title")
        heading.tooltip = title.plain
        yield heading
        with Grid(classes="demo-inputs"):
            wide_first = sorted(demo.args.items(), key=lambda item: not self.is_wide(*item))
            for name, arg in wide_first:
                yield self.input_for(name, arg)
        yield Static("", classes="demo-status")
        yield from self.compose_output()

    def input_for(self, name: str, arg) -> Horizontal:
        value = self.values.get(name)
        widget_id = f"arg-{name}"
        widget: Select[Any] | Checkbox | Input
        if arg.choices:
            optional = arg.default is None  # blank means "the demo's default", e.g. the tiny config
            widget = Select(
                [(choice, choice) for choice in arg.choices],
                value=value if value in arg.choices else (Select.NULL if optional else arg.choices[0]),
                allow_blank=optional,
                prompt="default",
                compact=True,
                id=widget_id,
            )
        elif arg.type is bool:
            widget = Checkbox(value=bool(value), compact=True, id=widget_id)
        else:
            kind: Literal["integer", "number", "text"] = (
                "integer" if arg.type is int else "number" if arg.type is float else "text"
            )
            # Blank means the demo's default; the help says what that is ("leave it out for the book's ...").
            placeholder = arg.help if arg.default is None else ""
            suggestions = self.suggestions(name)
            widget = Input(
                _field_text(value),
                type=kind,
                placeholder=placeholder,
                compact=True,
                id=widget_id,
                suggester=SuggestFromList(suggestions, case_sensitive=False) if suggestions else None,
            )
        widget.tooltip = arg.help
        classes = "demo-field wide" if self.is_wide(name, arg) else "demo-field"
        return Horizontal(Label(f"{name} "), widget, classes=classes)

    def suggestions(self, name: str) -> list[str]:
        """What an input may complete to (→ accepts): the weights there are, the notes corpus."""
        if name == "weights":
            from tutor.demos.weights import LAST, available_weights

            return [found for found, _where in available_weights()] + [LAST]
        if name == "corpus":
            return ["notes"]
        return []

    def is_wide(self, name: str, arg) -> bool:
        """Free text (a prompt, a path) gets a whole row; numbers and choices share one."""
        return arg.type is str and not arg.choices and name in {"text", "prompt", "corpus", "weights"}

    def compose_output(self) -> ComposeResult:
        raise NotImplementedError

    # Reading inputs.

    def read_inputs(self) -> dict[str, Any]:
        """The inputs as typed values; a bad one raises ``TutorError`` naming it."""
        from tutor.demos.registry import check_value

        values = {}
        for name, arg in self.demo.args.items():
            widget = self.query_one(f"#arg-{name}")
            if isinstance(widget, Input):
                text = widget.value.strip() if arg.type is not str else widget.value
                if text == "" and arg.default is None:
                    raw: Any = None
                elif arg.type is int:
                    raw = _parse(name, text, int)
                elif arg.type is float:
                    raw = _parse(name, text, float)
                else:
                    raw = text
            elif isinstance(widget, Checkbox):
                raw = widget.value
            elif isinstance(widget, Select):
                raw = None if widget.value is Select.NULL else widget.value
            else:
                raise TypeError(f"the input for {name} is a {type(widget).__name__}")  # input_for builds none
            values[name] = check_value(self.demo.name, name, arg, raw)
        return values

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _input_changed(self, event: Message) -> None:
        event.stop()
        if self.is_mounted and self._ready:
            self.input_changed()

    def input_changed(self) -> None:
        """A changed input makes the last run stale: run again with the new values."""
        self.start()

    _ready = False

    def on_mount(self) -> None:
        self._ready = True
        if self.autostart:
            self.start()

    # Running.

    def start(self) -> None:
        """Cancel whatever runs and start again with the inputs as they are now."""
        self.run_id += 1
        self.cancel_event.set()
        try:
            values = self.read_inputs()
        except TutorError as exc:
            self.running = False
            self.set_status(str(exc), error=True)
            self.clear_output()
            return
        self.values = values
        self.cancel_event = threading.Event()
        self.running = True
        self.set_status(self.running_text())
        self.before_run(values)
        self.run_in_thread(self.run_id, values, self.cancel_event)

    def stop(self) -> None:
        """Ask the run to stop; a streaming demo ends at its next step and reports what it did."""
        if self.running:
            self.cancel_event.set()
            self.set_status("Stopping…" if self.demo.streams else "Stopped.")
            if not self.demo.streams:
                self.running = False
                self.run_id += 1  # nothing worth showing will come from it

    def on_unmount(self) -> None:
        self.cancel_event.set()  # a demo left running would keep the app from quitting

    def running_text(self) -> str:
        return "Running…"

    def before_run(self, values: dict[str, Any]) -> None:
        """Clear what the previous run drew, where a streaming demo redraws step by step."""

    @work(thread=True, exclusive=True, group="demo")
    def run_in_thread(self, run_id: int, values: dict[str, Any], cancel: threading.Event) -> None:
        def emit(step: Any) -> None:
            self.post_message(self.Step(run_id, step))  # a stale run's steps are dropped by run id

        try:
            result = self.compute(run_id, values, cancel, emit)
        except TutorError as exc:
            self.post_message(self.Failed(run_id, str(exc)))
        except Exception as exc:  # a demo bug must not take the app down; say what happened in one line
            self.post_message(self.Failed(run_id, self.report_bug(values, exc)))
        else:
            self.post_message(self.Finished(run_id, result))

    def report_bug(self, values: dict[str, Any], error: Exception) -> str:
        """Keep the traceback (the Textual log and tutor.log) and return the sentence the learner reads."""
        from tutor.error_log import log_error, traceback_text

        what = f"demo {self.demo.name} with {values!r}"
        self.log.error(traceback_text(what, error))
        logged = log_error(what, error)
        where = f"; the details are in {logged}" if logged else ""
        return f"The demo stopped with an error: {type(error).__name__}: {str(error).rstrip('.')}{where}."

    def compute(self, run_id: int, values: dict[str, Any], cancel: threading.Event, emit) -> Any:
        """Runs in the worker thread (torch is imported here, through the demo); returns the result."""
        from tutor.demos import run_demo

        if self.demo.streams:
            return run_demo(self.demo.name, progress=emit, cancel=cancel, **values)
        return run_demo(self.demo.name, **values)

    def on_demo_panel_finished(self, message: Finished) -> None:
        message.stop()
        if message.run_id != self.run_id:
            return  # a stale run that finished after its inputs changed
        self.running = False
        self.last_result = message.result
        self.set_status(self.done_text(message.result))
        self.show_result(message.result)

    def on_demo_panel_step(self, message: Step) -> None:
        message.stop()
        if message.run_id == self.run_id:
            self.show_step(message.step)

    def on_demo_panel_failed(self, message: Failed) -> None:
        message.stop()
        if message.run_id == self.run_id:
            self.running = False
            self.set_status(message.error, error=True)
            self.clear_output()

    def clear_output(self) -> None:
        """A failed run clears what it would have replaced: an old result under an error looks current."""
        from textual.widgets import DataTable, ProgressBar

        self.last_result = None
        for widget in self.query(".demo-output Static, .headline, .table-title"):
            if isinstance(widget, Static):
                widget.update("")
        for table in self.query(DataTable):
            table.clear(columns=True)
        for bar in self.query(ProgressBar):
            bar.update(total=1, progress=0)
        for widget in self.query(".demo-output *"):
            clear = getattr(widget, "clear_shown", None)
            if clear is not None:
                clear()

    def done_text(self, result: Any) -> str:
        notes = getattr(result, "notes", None) or []
        return " ".join(notes) if notes else "Done."

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def show_step(self, step: Any) -> None:
        """Streaming demos draw each step as it comes."""

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one(".demo-status", Static)
        status.update(Text(text))  # plain text: error sentences quote values like [2, 3]
        status.set_class(error, "error")


def _parse(name: str, text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        word = "a whole number" if kind is int else "a number"
        raise TutorError(f"Argument '{name}' must be {word}, not {text!r}.") from None
