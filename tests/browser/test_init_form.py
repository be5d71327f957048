"""A trainee opens 01-init in JupyterLab, runs it, and reads every question of the init form in full."""
import pytest
from playwright.sync_api import expect

from amplify_nb.specs import InitSpec


@pytest.mark.browser
def test_init_notebook_renders_its_form_with_every_label_readable(open_notebook):
    notebook = open_notebook("01-init.ipynb")
    notebook.run_all()
    assert notebook.errors() == [] and notebook.unexecuted_code_cells() == []

    form = notebook.page.locator(".amplify-nb-form").first
    expect(form).to_be_visible()
    labels = form.locator(".amplify-nb-label")
    expect(labels).to_have_count(len(InitSpec.questions()))
    shown = [question for question in InitSpec.questions() if question.applies(InitSpec())]  # the local target's
    assert [q.name for q in InitSpec.questions() if q not in shown] == ["budget", "budget_amount", "budget_email"]
    for question in shown:
        label = labels.get_by_text(question.prompt, exact=True)
        expect(label).to_be_visible()
        # Not cut off: the text fits its box (no overflow hidden behind an ellipsis).
        fits = label.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
        assert fits, f"label {question.prompt!r} is cut off"
    for question in InitSpec.questions():
        if question not in shown:  # the budget is offered on an AWS target only
            expect(labels.get_by_text(question.prompt, exact=True)).to_be_hidden()
    expect(form.get_by_role("button", name="Initialize")).to_be_enabled()
    expect(notebook.output_text("✔ Project").first).to_be_visible()
