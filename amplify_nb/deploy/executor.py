"""Run a plan: each call in order, with a progress bar, journaling every finished step.

DisplayOnly shows the same plan without calling anything (`amplify-nb push --plan`).
"""
from __future__ import annotations

import collections
import json
import os
import signal
import time
from typing import Any, Callable

import botocore.exceptions
import botocore.waiter
import jmespath

from ..aws import Target, error_code
from ..errors import CloudError, InputError
from .journal import Journal
from .plan import APICall, Explain, Joined, JsonText, Plan, StoreValue, Var, Wait

# Test hook for crash-safety tests: SIGKILL this process right after the Nth step is journaled.
FAULT_AFTER_STEPS = "AMPLIFY_NB_FAULT_AFTER_STEPS"


class Executor:
    def __init__(self, target: Target, journal: Journal | None = None, progress: bool = True,
                 sleep: Callable[[float], None] | None = None):
        self.target = target
        self.sleep = sleep  # between retries of a known eventual-consistency error (None: time.sleep)
        self.journal = journal or Journal(None)
        self.progress = progress
        self.variables: dict[str, Any] = {}
        self.calls_made: list[str] = []
        self.waits_done: list[str] = []

    def run(self, plan: Plan, env: str = "") -> dict[str, Any]:
        steps = plan.steps
        self.journal.begin(env, len(steps))
        fault_after = int(os.environ.get(FAULT_AFTER_STEPS, "0") or 0)
        bar = _progress_bar(len(steps), enabled=self.progress and bool(steps))
        done = 0
        try:
            for instruction in plan.instructions:
                if isinstance(instruction, StoreValue):
                    self.variables[instruction.name] = instruction.value
                    continue
                description = _describe(instruction)
                if bar is not None:
                    bar.set_description_str(progress_label(instruction))
                if isinstance(instruction, APICall):
                    self._call(instruction)
                else:
                    self._wait(instruction)
                    self.waits_done.append(f"{instruction.resource}: {instruction.waiter}")
                done += 1
                self.journal.step_done(description)
                if bar is not None:
                    bar.update(1)
                if fault_after and done == fault_after:
                    os.kill(os.getpid(), signal.SIGKILL)
        finally:
            if bar is not None:
                bar.close()
        return self.variables

    def _call(self, call: APICall) -> None:
        params = resolve(call.params, self.variables)
        client = self.target.client(call.service)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = getattr(client, call.method)(**params)
                break
            except botocore.exceptions.ClientError as exc:
                code = error_code(exc)
                if code in call.ok_codes:
                    response = {}
                    break
                if call.retry and call.retry.matches(code, str(exc)) and attempt < call.retry.attempts:
                    (time.sleep if self.sleep is None else self.sleep)(call.retry.delay)
                    continue
                explained = next((e for e in call.explain if e.matches(code, str(exc))), None)
                if explained is not None:
                    raise self._explained(call, explained, exc) from exc
                raise CloudError(f"{_describe(call)} failed: {exc}. Steps before it are kept; "
                                 "fix the cause and push again to continue.") from exc
            except botocore.exceptions.BotoCoreError as exc:  # credentials, SSO token, connection
                raise CloudError(f"{_describe(call)} failed: {self.target.explain_failure(exc)} "
                                 "Steps before it are kept: push again to continue.") from exc
        self.calls_made.append(call.operation)
        for name, expression in call.store.items():
            self.variables[name] = jmespath.search(expression, response)

    def _explained(self, call: APICall, explained: Explain, exc: Exception) -> Exception:
        """The error to raise for a known refusal, after undoing what its cleanup names."""
        notes = []
        for undo in explained.cleanup:
            try:
                params = resolve(undo.params, self.variables)
            except CloudError:
                continue  # made before this push, or never made: nothing of this push to undo
            try:
                getattr(self.target.client(undo.service), undo.method)(**params)
                self.calls_made.append(undo.operation)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as undo_exc:
                if error_code(undo_exc) not in undo.ok_codes:
                    notes.append(f" Could not undo {undo.resource} ({undo.operation}: {undo_exc}); delete it by hand.")
        text = f"{explained.text} ({_describe(call)}: {error_code(exc) or exc}.){''.join(notes)}"
        return InputError(text) if explained.user_choice else CloudError(text)

    def _wait(self, wait: Wait) -> None:
        try:
            waiter = _waiter(self.target.client(wait.service), wait)
            waiter.wait(**resolve(wait.params, self.variables),
                        WaiterConfig={"Delay": 0 if self.target.is_local else wait.delay, "MaxAttempts": wait.max_attempts})
        except botocore.exceptions.WaiterError as exc:
            raise CloudError(f"Waiting for {wait.resource} ({wait.waiter}) failed: {exc}. Push again to keep waiting.") from exc
        except botocore.exceptions.BotoCoreError as exc:  # credentials expired or the endpoint went away mid-wait
            raise CloudError(f"Waiting for {wait.resource} ({wait.waiter}) failed: {self.target.explain_failure(exc)} "
                             "Push again to keep waiting.") from exc


class DisplayOnly:
    """Shows what a plan would do, calling nothing."""

    def __init__(self, plan: Plan):
        self.plan = plan

    def table(self):
        import pandas as pd

        columns = ["step", "resource", "action", "call", "parameters"] + (["why"] if self.plan.reasons else [])
        return pd.DataFrame(self.plan.rows(), columns=columns)

    def summary(self) -> str:
        """One line per resource and action, for the confirmation before a push (the calls are in `text`)."""
        rows = self.plan.rows()
        counts = collections.Counter((row["action"], row["resource"]) for row in rows)
        reasons: dict[tuple, list[str]] = collections.defaultdict(list)
        for row in rows:
            if row["why"] and row["why"] not in reasons[row["action"], row["resource"]]:
                reasons[row["action"], row["resource"]].append(row["why"])
        return self._lines(f"The push would make {sum(counts.values())} step(s) (every call: `amplify-nb push --plan`):",
                           [f"  {action:<6} {resource} ({count} step{'s' if count > 1 else ''})"
                            + "".join(f": {'; '.join(reasons[action, resource])}" for _ in reasons[action, resource][:1])
                            for (action, resource), count in counts.items()])

    def text(self) -> str:
        rows = self.plan.rows()
        return self._lines(f"{len(rows)} step(s) would run:",
                           [f"{r['step']:>3}. {r['action']:<6} {r['resource']:<45} {r['call']}  {r['parameters']}"
                            + (f"\n       ({r['why']})" if r["why"] else "") for r in rows])

    def _lines(self, heading: str, lines: list[str]) -> str:
        """What was built for the plan, then the heading and lines, or that there is nothing to do."""
        notes = [f"Built: {note}" for note in self.plan.notes]
        if not lines:
            return "\n".join(notes + ["No changes: the cloud already matches the project."])
        return "\n".join(notes + [heading] + lines)


def resolve(value: Any, variables: dict[str, Any]) -> Any:
    """Replace Vars by their values and JsonText by its JSON string, at any depth."""
    if isinstance(value, Var):
        if value.name not in variables:
            raise CloudError(f"internal: {value} is used before an earlier step produced it")
        return variables[value.name]
    if isinstance(value, JsonText):
        return json.dumps(resolve(value.document, variables))
    if isinstance(value, Joined):
        return "".join(str(resolve(part, variables)) for part in value.parts)
    if isinstance(value, dict):
        return {k: resolve(v, variables) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, variables) for v in value]
    return value


def _waiter(client: Any, wait: Wait) -> Any:
    """botocore's own waiter, or one built from the Wait's acceptors when botocore ships none."""
    if not wait.acceptors:
        return client.get_waiter(wait.waiter)
    model = botocore.waiter.WaiterModel({"version": 2, "waiters": {wait.waiter: {
        "operation": wait.operation, "delay": wait.delay, "maxAttempts": wait.max_attempts,
        "acceptors": [dict(acceptor) for acceptor in wait.acceptors]}}})
    return botocore.waiter.create_waiter_with_client(wait.waiter, model, client)


def _describe(step: APICall | Wait) -> str:
    if isinstance(step, APICall):
        return f"{step.action} {step.resource}: {step.operation}"
    return f"wait {step.resource}: {step.waiter}"


PROGRESS_LABEL_WIDTH = 60


def progress_label(step: APICall | Wait, width: int = PROGRESS_LABEL_WIDTH) -> str:
    """The step for a progress bar in at most `width` characters: the call is kept whole and the resource is
    shortened from its start, where long names repeat the project and env, so no word is cut."""
    call = step.operation if isinstance(step, APICall) else f"wait {step.waiter}"
    room = width - len(call) - 2
    resource = step.resource
    if len(resource) > room:
        resource = "…" + resource[len(resource) - room + 1:] if room > 1 else ""
    return f"{resource}: {call}" if resource else call[:width]


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", leave=True)
