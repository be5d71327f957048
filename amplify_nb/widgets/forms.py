"""An ipywidgets form for any spec: one row per question with its label, help and inline validation message.

Repeated answers (a table's columns, its GSIs) are small tables of inputs with + / − buttons; a question that
applies only after an earlier answer is hidden until it does; resource access is a grid of checkboxes, one row
per resource of the project and one column per operation; a nested flow (a function's new table) is a form
inside the form. The form only builds a spec; its button calls the same plain action a notebook cell calls with
`form.spec`, so "Run All" and papermill never wait for a click.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets
import traitlets
from IPython.display import display

from ..errors import AmplifyNbError, InputError
from ..specs import OPERATIONS, Question, Spec

LABEL_WIDTH = "300px"
NONE_LABEL = "(none)"


def _dropdown_options(question: Question, spec: Spec) -> list[tuple[str, str]]:
    options = [(label, value) for value, label in question.options(spec)]
    return ([(NONE_LABEL, "")] + options) if question.optional else options


def _set_options(dropdown: widgets.Dropdown, options: list[tuple[str, str]]) -> None:
    """New choices, keeping the selected value when it is still one of them."""
    if list(dropdown.options) == options:
        return
    keep = dropdown.value
    dropdown.options = options
    dropdown.value = keep if keep in [value for _, value in options] else None


class RowsInput(widgets.VBox):
    """A list of rows (each a dict of the item spec's answers) with a − button per row and a + button below."""

    value = traitlets.List()

    def __init__(self, question: Question, parent: Callable[[], Spec], rows: list[dict]):
        self.question, self._parent = question, parent
        self.item_questions = question.item.questions()
        self.row_inputs: list[dict[str, widgets.Widget]] = []
        self.add_button = widgets.Button(description=f"+ Add {question.item.flow}", layout=widgets.Layout(width="auto"))
        self.add_button.on_click(lambda _: self.add_row())
        super().__init__(layout=widgets.Layout(width="100%"))
        self._building = False
        self.set_rows(rows)

    def set_rows(self, rows: list[dict]) -> None:
        self._building = True
        try:
            self.row_inputs = []
            for row in rows if isinstance(rows, list) else []:
                self._append(row if isinstance(row, dict) else {})
        finally:
            self._building = False
        self._render()

    def add_row(self, row: dict | None = None) -> None:
        self._append(row or {})
        self._render()

    def remove_row(self, index: int) -> None:
        del self.row_inputs[index]
        self._render()

    def _append(self, row: dict) -> None:
        defaults = self.question.item.from_answers({}).to_answers()
        inputs: dict[str, widgets.Widget] = {}
        for item_question in self.item_questions:
            value = row.get(item_question.name, defaults[item_question.name])
            layout = widgets.Layout(width="150px")
            if item_question.kind == "choice":
                options = _dropdown_options(item_question, self._parent()) if item_question.choices_from else \
                    [(label, v) for v, label in item_question.choices]
                field = widgets.Dropdown(options=options, value=value if value in [v for _, v in options] else None,
                                         layout=layout, description_allow_html=False)
            elif item_question.kind == "bool":  # a path's "Restrict API access?"
                field = widgets.Checkbox(value=bool(value), indent=False, layout=layout)
            else:  # a multi-select (a path's permissions) as comma-separated text
                text = ", ".join(value) if isinstance(value, list) else "" if value is None else str(value)
                field = widgets.Text(value=text, placeholder=item_question.name, layout=layout)
            field.observe(lambda change: self._sync(), names="value")
            inputs[item_question.name] = field
        self.row_inputs.append(inputs)

    def _render(self) -> None:
        header = widgets.HBox([widgets.HTML(f"<small><b>{html.escape(q.name)}</b></small>",
                                            layout=widgets.Layout(width="150px")) for q in self.item_questions])
        lines = []
        for index, inputs in enumerate(self.row_inputs):
            remove = widgets.Button(description="−", tooltip="Remove this row", layout=widgets.Layout(width="36px"))
            remove.on_click(lambda _, i=index: self.remove_row(i))
            lines.append(widgets.HBox(list(inputs.values()) + [remove]))
        self.children = ([header] if self.row_inputs else []) + lines + [self.add_button]
        self._sync()

    def _sync(self) -> None:
        if self._building:
            return
        rows = []
        for inputs in self.row_inputs:
            row = {}
            for item_question in self.item_questions:
                value = inputs[item_question.name].value
                if value not in (None, "") or not item_question.optional:
                    row[item_question.name] = "" if value is None else value
            rows.append(row)
        self.value = rows

    def refresh_options(self, parent: Spec) -> None:
        """Choices that come from the parent (a GSI's keys are the table's key columns) follow it."""
        for inputs in self.row_inputs:
            for item_question in self.item_questions:
                if item_question.choices_from:
                    _set_options(inputs[item_question.name], _dropdown_options(item_question, parent))


class AccessInput(widgets.VBox):
    """Checkboxes per resource and operation; the value is {category: {resource: [operations]}}."""

    value = traitlets.Dict()

    def __init__(self, question: Question, spec: Spec, access: dict):
        self.boxes: dict[tuple[str, str, str], widgets.Checkbox] = {}
        targets = question.options(spec)
        header = widgets.HBox([widgets.HTML("", layout=widgets.Layout(width="220px"))] +
                              [widgets.HTML(f"<small><b>{op}</b></small>", layout=widgets.Layout(width="70px"))
                               for op in OPERATIONS])
        lines = []
        for target, label in targets:
            category, _, resource = target.partition("/")
            chosen = (access or {}).get(category, {}).get(resource, [])
            boxes = []
            for op in OPERATIONS:
                box = widgets.Checkbox(value=op in chosen, indent=False, layout=widgets.Layout(width="70px"))
                box.observe(lambda change: self._sync(), names="value")
                self.boxes[(category, resource, op)] = box
                boxes.append(box)
            lines.append(widgets.HBox([widgets.HTML(html.escape(label), layout=widgets.Layout(width="220px"))] + boxes))
        empty = [widgets.HTML("<small>The project has no other resources yet.</small>")] if not targets else []
        super().__init__(([header] if targets else []) + lines + empty)
        self._sync()

    def set_access(self, access: dict) -> None:
        for (category, resource, op), box in self.boxes.items():
            box.value = op in (access or {}).get(category, {}).get(resource, [])

    def _sync(self) -> None:
        access: dict = {}
        for (category, resource, op), box in self.boxes.items():
            if box.value:
                access.setdefault(category, {}).setdefault(resource, []).append(op)
        self.value = access


class NestedInput(widgets.VBox):
    """Another flow's form inside this one (a function's new table); the value is its applicable answers."""

    value = traitlets.Dict()

    def __init__(self, spec: Spec, name: str):
        nested, self.fixed = spec.nested(name)
        self.form = SpecForm(nested, embedded=True, hidden=set(self.fixed))
        self.form.on_change(self._sync)
        super().__init__([self.form.widget], layout=widgets.Layout(border="1px solid #ddd", padding="4px"))
        self._sync()

    def _sync(self) -> None:
        try:
            self.value = {**self.form.current().applicable_answers(), **self.fixed}
        except InputError:
            self.value = {**self.form.answers(), **self.fixed}


def _mapping_text(value: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value or "")


def _write(field: widgets.Widget, value: Any) -> None:
    """Show a value in its input, whatever the input's kind (a choice no longer offered is left as it is)."""
    if isinstance(field, RowsInput):
        field.set_rows(value)
    elif isinstance(field, AccessInput):
        field.set_access(value)
    elif isinstance(field, NestedInput):
        field.form.set(**{k: v for k, v in (value or {}).items() if k in field.form.inputs})
    elif isinstance(field, widgets.Dropdown):
        if value in [v for _, v in field.options]:
            field.value = value
    elif isinstance(field, widgets.SelectMultiple):
        field.value = tuple(value or ())
    elif isinstance(field, widgets.Text):
        field.value = _mapping_text(value) if isinstance(value, dict) else "" if value is None else str(value)
    else:
        field.value = value


def _input_for(question: Question, value: Any, spec: Spec, parent: Callable[[], Spec]) -> widgets.Widget:
    layout = widgets.Layout(width="340px")
    if question.kind == "rows":
        return RowsInput(question, parent, value)
    if question.kind == "access":
        return AccessInput(question, spec, value)
    if question.kind == "spec":
        return NestedInput(spec, question.name)
    if question.kind == "mapping":
        return widgets.Text(value=_mapping_text(value), placeholder="NAME=value, NAME=value", layout=layout)
    if question.kind == "choice":
        options = _dropdown_options(question, spec)
        return widgets.Dropdown(options=options, value=value if value in [v for _, v in options] else None, layout=layout)
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

    defaults: rebuilds the defaults from the answers given so far (e.g. a framework's folders); without it the
    spec's own `answered()` does (a default that follows an earlier answer). Fields the user has not touched
    follow them. embedded: no button (a form inside a form); hidden: questions not shown (answered by the host).
    """

    def __init__(self, spec: Spec, action: Callable[[Spec], Any] | None = None, submit_label: str = "Run",
                 title: str = "", defaults: Callable[[dict], Spec] | None = None, embedded: bool = False,
                 hidden: set[str] | None = None):
        self._base = spec
        self._spec_cls = type(spec)
        self._defaults = defaults
        self._action = action
        self._hidden = set(hidden or ())
        self._touched: set[str] = set()
        self._updating = False
        self._listeners: list[Callable[[], None]] = []
        self.inputs: dict[str, widgets.Widget] = {}
        self.messages: dict[str, widgets.HTML] = {}
        self.rows: dict[str, widgets.VBox] = {}
        rows = [widgets.HTML(f"<h4>{html.escape(title)}</h4>")] if title else []
        for question in spec.questions():
            if question.name in self._hidden:
                continue
            label = widgets.HTML(f"<b>{html.escape(question.prompt)}</b>", layout=widgets.Layout(width=LABEL_WIDTH))
            label.add_class("amplify-nb-label")
            field = _input_for(question, getattr(spec, question.name), spec, self._current_or_base)
            field.observe(lambda change, name=question.name: self._changed(name), names="value")
            help_text = widgets.HTML(f"<small style='color:#555'>{html.escape(question.help)}</small>",
                                     layout=widgets.Layout(width="100%"))
            message = widgets.HTML("", layout=widgets.Layout(width="100%"))
            message.add_class("amplify-nb-message")
            self.inputs[question.name], self.messages[question.name] = field, message
            self.rows[question.name] = widgets.VBox([widgets.HBox([label, field]), help_text, message],
                                                    layout=widgets.Layout(margin="0 0 6px 0"))
            rows.append(self.rows[question.name])
        self.button = widgets.Button(description=submit_label, button_style="primary",
                                     layout=widgets.Layout(width="auto", min_width="160px"))
        self.button.on_click(lambda _: self.submit())
        self.output = widgets.Output()
        self.widget = widgets.VBox(rows + ([] if embedded else [self.button, self.output]))
        self.widget.add_class("amplify-nb-form")
        self._refresh()

    # --- values ----------------------------------------------------------------------------------------------
    def answers(self) -> dict:
        values = {}
        for name, field in self.inputs.items():
            value = field.value
            values[name] = list(value) if isinstance(value, tuple) else value
        return values

    def current(self) -> Spec:
        """The spec the values make, unchecked (raises InputError only when a value cannot be read).

        The values of hidden questions (those that do not apply) are left out, as if never given."""
        answers = self.answers()
        spec = self._base.answered(answers)
        shown = {k: v for k, v in answers.items() if spec.question(k).applies(spec)}
        return spec if len(shown) == len(answers) else self._base.answered(shown)

    @property
    def spec(self) -> Spec:
        """The spec the form holds now; raises InputError listing every problem."""
        return self.current().check()

    def set(self, **answers: Any) -> None:
        """Fill answers from code (tests, or a notebook parameters cell)."""
        for name, value in answers.items():
            _write(self.inputs[name], value)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    # --- behaviour -------------------------------------------------------------------------------------------
    def _current_or_base(self) -> Spec:
        try:
            return self.current() if self.inputs else self._base
        except InputError:
            return self._base

    def _changed(self, name: str) -> None:
        if self._updating:
            return
        self._touched.add(name)
        given = {k: v for k, v in self.answers().items() if k in self._touched}
        try:
            fresh = self._defaults(given) if self._defaults else self._base.answered(given)
        except InputError:
            fresh = None
        if fresh is not None:
            self._updating = True
            try:
                for other, field in self.inputs.items():
                    if other in self._touched or isinstance(field, (RowsInput, AccessInput)):
                        continue
                    if isinstance(field, NestedInput):  # an untouched nested flow follows (the api's new table its path)
                        _write(field, fresh.nested(other)[0].applicable_answers())
                    else:
                        _write(field, getattr(fresh, other))
            finally:
                self._updating = False
        self._refresh()
        for listener in self._listeners:
            listener()

    def _refresh(self) -> list:
        """Show what applies, with its current choices and problems; the button waits for a valid spec."""
        try:
            spec = self.current()
            problems = spec.problems()
        except InputError as exc:
            spec, problems = None, exc.problems
        if spec is not None:
            self._updating = True
            try:
                for question in spec.questions():
                    if question.name not in self.inputs:
                        continue
                    field = self.inputs[question.name]
                    self.rows[question.name].layout.display = "" if question.applies(spec) else "none"
                    if isinstance(field, RowsInput):
                        field.refresh_options(spec)
                    elif question.choices_from and isinstance(field, widgets.Dropdown):
                        _set_options(field, _dropdown_options(question, spec))
                        if question.name not in self._touched:
                            _write(field, getattr(spec, question.name))
            finally:
                self._updating = False
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
