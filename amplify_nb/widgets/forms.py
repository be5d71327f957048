"""An ipywidgets form for any spec: one row per question with its label, help and inline validation message.

The form only builds a spec; its button calls the same plain action a notebook cell calls with `form.spec`,
so "Run All" and papermill never wait for a click.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets
from IPython.display import display

from ..errors import AmplifyNbError, InputError
from ..specs import Question, Spec

LABEL_WIDTH = "300px"


def _input_for(question: Question, value: Any) -> widgets.Widget:
    layout = widgets.Layout(width="340px")
    if question.kind == "choice":
        options = [(label, choice) for choice, label in question.choices]
        return widgets.Dropdown(options=options, value=value if value in dict(question.choices) else None, layout=layout)
    if question.kind == "bool":
        return widgets.Checkbox(value=bool(value), indent=False, layout=layout)
    if question.kind == "int":
        return widgets.IntText(value=int(value or 0), layout=layout)
    if question.kind == "multi":
        options = [(label, choice) for choice, label in question.choices]
        return widgets.SelectMultiple(options=options, value=tuple(value or ()), layout=layout)
    return widgets.Text(value="" if value is None else str(value), layout=layout)


class SpecForm:
    """Shows a spec's questions; `form.spec` is always the spec the current values make (or raises InputError).

    defaults: rebuilds the defaults from the answers given so far (e.g. a framework's folders); fields the
    user has not touched follow it.
    """

    def __init__(self, spec: Spec, action: Callable[[Spec], Any] | None = None, submit_label: str = "Run",
                 title: str = "", defaults: Callable[[dict], Spec] | None = None):
        self._spec_cls = type(spec)
        self._defaults = defaults
        self._action = action
        self._touched: set[str] = set()
        self._updating = False
        self.inputs: dict[str, widgets.Widget] = {}
        self.messages: dict[str, widgets.HTML] = {}
        rows = [widgets.HTML(f"<h4>{html.escape(title)}</h4>")] if title else []
        for question in spec.questions():
            label = widgets.HTML(f"<b>{html.escape(question.prompt)}</b>", layout=widgets.Layout(width=LABEL_WIDTH))
            label.add_class("amplify-nb-label")
            field = _input_for(question, getattr(spec, question.name))
            field.observe(lambda change, name=question.name: self._changed(name), names="value")
            help_text = widgets.HTML(f"<small style='color:#555'>{html.escape(question.help)}</small>",
                                     layout=widgets.Layout(width="100%"))
            message = widgets.HTML("", layout=widgets.Layout(width="100%"))
            message.add_class("amplify-nb-message")
            self.inputs[question.name], self.messages[question.name] = field, message
            rows.append(widgets.VBox([widgets.HBox([label, field]), help_text, message],
                                     layout=widgets.Layout(margin="0 0 6px 0")))
        self.button = widgets.Button(description=submit_label, button_style="primary",
                                     layout=widgets.Layout(width="auto", min_width="160px"))
        self.button.on_click(lambda _: self.submit())
        self.output = widgets.Output()
        self.widget = widgets.VBox(rows + [self.button, self.output])
        self.widget.add_class("amplify-nb-form")
        self._show_problems()

    # --- values ----------------------------------------------------------------------------------------------
    def answers(self) -> dict:
        values = {}
        for name, field in self.inputs.items():
            value = field.value
            values[name] = list(value) if isinstance(value, tuple) else value
        return values

    @property
    def spec(self) -> Spec:
        """The spec the form holds now; raises InputError listing every problem."""
        return self._spec_cls.from_answers(self.answers()).check()

    def set(self, **answers: Any) -> None:
        """Fill answers from code (tests, or a notebook parameters cell)."""
        for name, value in answers.items():
            self.inputs[name].value = value

    # --- behaviour -------------------------------------------------------------------------------------------
    def _changed(self, name: str) -> None:
        if self._updating:
            return
        self._touched.add(name)
        if self._defaults:
            fresh = self._defaults({k: v for k, v in self.answers().items() if k in self._touched})
            self._updating = True
            try:
                for other, field in self.inputs.items():
                    if other not in self._touched:
                        field.value = getattr(fresh, other)
            finally:
                self._updating = False
        self._show_problems()

    def _show_problems(self) -> list:
        try:
            problems = self._spec_cls.from_answers(self.answers()).problems()
        except InputError as exc:
            problems = exc.problems
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem.message)
        for name, message in self.messages.items():
            texts = by_field.get(name, [])
            message.value = "".join(f"<span style='color:#b00020'>⚠ {html.escape(t)}</span><br>" for t in texts)
        self.button.disabled = bool(problems)
        return problems

    def submit(self) -> Any:
        """What the button does: validate, then run the action, showing its result or error below the form."""
        self.output.clear_output()
        with self.output:
            try:
                spec = self.spec
                if self._action is None:
                    display(spec)
                    return spec
                result = self._action(spec)
                if result is not None:
                    display(result)
                return result
            except AmplifyNbError as exc:
                display(widgets.HTML(f"<span style='color:#b00020'>🛑 {html.escape(str(exc))}</span>"))
        return None

    def _ipython_display_(self) -> None:
        display(self.widget)
