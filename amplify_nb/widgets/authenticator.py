"""The Authenticator: the notebook counterpart of Amplify UI's withAuthenticator.

Views: Sign In, Create Account, Confirm (the emailed code), Forgot Password (then Reset), and the signed-in
user with a Sign Out button. Every button calls the Auth client (client/auth.py); its errors appear inline,
under the form, in words a person can act on. On the local target, the Confirm and Reset views can show the
code from the local mailbox (there is no real email there); on AWS the code arrives by email.

Nothing secret is shown: passwords are typed into password fields, tokens never appear.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets
from IPython.display import display

from ..client.auth import Auth, AuthError, NotSignedInError

WIDTH = "320px"
VIEWS = ("sign_in", "sign_up", "confirm", "forgot", "reset", "signed_in")


def _text(placeholder: str) -> widgets.Text:
    return widgets.Text(placeholder=placeholder, layout=widgets.Layout(width=WIDTH))


def _password(placeholder: str) -> widgets.Password:
    return widgets.Password(placeholder=placeholder, layout=widgets.Layout(width=WIDTH))


def _button(label: str, primary: bool = True) -> widgets.Button:
    return widgets.Button(description=label, button_style="primary" if primary else "",
                          layout=widgets.Layout(width=WIDTH))


def _link(label: str) -> widgets.Button:
    button = widgets.Button(description=label, layout=widgets.Layout(width="auto"))
    button.add_class("amplify-nb-link")
    return button


# Auth's calls as this form's buttons, for its error messages.
CALL_BUTTONS = {"confirm_forgot_password()": "“Submit”", "forgot_password()": "“Forgot your password?”",
                "resend_code()": "“Resend Code”", "confirm_sign_up()": "“Confirm”", "sign_out()": "“Sign Out”"}


class Authenticator:
    """Sign-in UI for an Auth client; `on_change(auth)` runs after every sign-in and sign-out."""

    def __init__(self, auth: Auth, show_local_codes: bool | None = None,
                 on_change: Callable[[Auth], Any] | None = None):
        self.auth = auth
        self.show_local_codes = auth.target.is_local if show_local_codes is None else show_local_codes
        self.on_change = on_change
        self.username = ""  # whose code the Confirm / Reset views wait for
        self.view = ""
        self.title = widgets.HTML()
        self.error = widgets.HTML()
        self.error.add_class("amplify-nb-auth-error")
        self.notice = widgets.HTML()
        self.mail = widgets.HTML()
        self.mail.add_class("amplify-nb-auth-mailbox")

        self.inputs: dict[str, widgets.Widget] = {
            "sign_in.username": _text("Email"), "sign_in.password": _password("Password"),
            "sign_up.username": _text("Email"), "sign_up.password": _password("Password"),
            "sign_up.confirm_password": _password("Confirm Password"),
            "confirm.code": _text("Enter your code"),
            "forgot.username": _text("Email"),
            "reset.code": _text("Code"), "reset.password": _password("New Password"),
            "reset.confirm_password": _password("Confirm Password"),
        }
        self.buttons: dict[str, widgets.Button] = {
            "sign_in": _button("Sign In"), "sign_up": _button("Create Account"), "confirm": _button("Confirm"),
            "resend": _button("Resend Code", primary=False), "forgot": _button("Send code"),
            "reset": _button("Submit"), "sign_out": _button("Sign Out"),
            "show_code": _button("Show the code from the local mailbox", primary=False),
            "to_sign_up": _link("Create Account"), "to_forgot": _link("Forgot your password?"),
            "to_sign_in": _link("Back to Sign In"),
        }
        actions = {"sign_in": self.submit_sign_in, "sign_up": self.submit_sign_up, "confirm": self.submit_confirm,
                   "resend": self.resend, "forgot": self.submit_forgot, "reset": self.submit_reset,
                   "sign_out": self.sign_out, "show_code": self.show_local_code,
                   "to_sign_up": lambda: self.show("sign_up"), "to_forgot": lambda: self.show("forgot"),
                   "to_sign_in": lambda: self.show("sign_in")}
        for name, button in self.buttons.items():
            button.on_click(lambda _, act=actions[name]: self._run(act))
        self.body = widgets.VBox()
        self.widget = widgets.VBox([self.title, self.body, self.error, self.notice, self.mail],
                                   layout=widgets.Layout(border="1px solid #ddd", padding="12px", width="360px"))
        self.widget.add_class("amplify-nb-authenticator")
        self.refresh()

    # --- views ------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the signed-in user if there is one (e.g. after a cell signed in with the Auth client), else Sign In."""
        self.show("signed_in" if self.auth.signed_in else "sign_in")

    def show(self, view: str, notice: str = "") -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
        self.view = view
        self.error.value = ""
        self.notice.value = f"<span style='color:#2e7d32'>{html.escape(notice)}</span>" if notice else ""
        self.mail.value = ""
        i, b = self.inputs, self.buttons
        rules = html.escape(self.auth.config.password_rules())
        layouts: dict[str, tuple[str, list]] = {
            "sign_in": ("Sign In", [i["sign_in.username"], i["sign_in.password"], b["sign_in"],
                                    widgets.HBox([b["to_forgot"], b["to_sign_up"]])]),
            "sign_up": ("Create Account", [i["sign_up.username"], i["sign_up.password"], i["sign_up.confirm_password"],
                                           widgets.HTML(f"<small>Passwords need {rules}.</small>"), b["sign_up"],
                                           b["to_sign_in"]]),
            "confirm": ("Confirm your account", [
                widgets.HTML(f"<small>{self._code_hint()}</small>"), i["confirm.code"], b["confirm"], b["resend"]]
                + ([b["show_code"]] if self.show_local_codes else []) + [b["to_sign_in"]]),
            "forgot": ("Reset your password", [i["forgot.username"], b["forgot"], b["to_sign_in"]]),
            "reset": ("Reset your password", [
                widgets.HTML(f"<small>{self._code_hint()}</small>"), i["reset.code"], i["reset.password"],
                i["reset.confirm_password"], b["reset"]]
                + ([b["show_code"]] if self.show_local_codes else []) + [b["to_sign_in"]]),
            "signed_in": ("Signed in", [widgets.HTML(self._user_html()), b["sign_out"]]),
        }
        title, children = layouts[view]
        self.title.value = f"<h3 style='margin:0 0 8px 0'>{html.escape(title)}</h3>"
        self.body.children = children

    def _code_hint(self) -> str:
        where = ("the local mailbox (this is the local cloud: no real email is sent)" if self.show_local_codes
                 else "the email we sent")
        return f"Enter the code sent to {html.escape(self.username or 'your email')}, from {where}."

    def _user_html(self) -> str:
        try:
            user = self.auth.current_user()
        except NotSignedInError:
            return "<i>The session has ended: sign in again.</i>"
        email = html.escape(user.email or user.username)
        return f"<p>Hello, <b>{email}</b></p><small>user id (sub): {html.escape(user.sub)}</small>"

    # --- actions ----------------------------------------------------------------------------------------------
    def _run(self, action: Callable[[], Any]) -> None:
        self.error.value = ""
        try:
            action()
        except AuthError as exc:
            self.notice.value = ""  # an old success above a new error would contradict it
            self.error.value = f"<span style='color:#b00020'>⚠ {html.escape(self.in_buttons(str(exc)))}</span>"

    @staticmethod
    def in_buttons(message: str) -> str:
        """The client's messages name its Python calls; on the form, the buttons that make them are named."""
        for call, button in CALL_BUTTONS.items():
            message = message.replace(call, button)
        return message

    def _value(self, name: str) -> str:
        return str(self.inputs[name].value or "").strip()

    def _clear_secrets(self) -> None:
        for name, field in self.inputs.items():
            if isinstance(field, widgets.Password) or name.endswith(".code"):
                field.value = ""

    def submit_sign_in(self) -> None:
        username, password = self._value("sign_in.username"), self.inputs["sign_in.password"].value
        if not username or not password:
            raise AuthError("Enter your email and password.")
        try:
            self.auth.sign_in(username, password)
        except AuthError as exc:
            if exc.code == "UserNotConfirmedException":
                self.username = username
                self.show("confirm")
            raise
        self._clear_secrets()
        self.show("signed_in")
        self._changed()

    def submit_sign_up(self) -> None:
        username, password = self._value("sign_up.username"), self.inputs["sign_up.password"].value
        if not username or not password:
            raise AuthError("Enter an email and a password.")
        if password != self.inputs["sign_up.confirm_password"].value:
            raise AuthError("The two passwords differ: type the same password twice.")
        result = self.auth.sign_up(username, password)
        self.username = username
        self.inputs["sign_in.username"].value = username
        self._clear_secrets()
        where = result.delivery.destination if result.delivery else username
        self.show("confirm", notice=f"We sent a code to {where}.")

    def submit_confirm(self) -> None:
        code = self._value("confirm.code")
        if not code:
            raise AuthError("Enter the code from the email.")
        self.auth.confirm_sign_up(self.username, code)
        self._clear_secrets()
        self.show("sign_in", notice="Your account is confirmed: sign in.")

    def resend(self) -> None:
        delivery = (self.auth.resend_code(self.username) if self.view == "confirm"
                    else self.auth.forgot_password(self.username))
        self.notice.value = (f"<span style='color:#2e7d32'>A new code was sent to "
                             f"{html.escape(delivery.destination if delivery else self.username)}.</span>")

    def submit_forgot(self) -> None:
        username = self._value("forgot.username")
        if not username:
            raise AuthError("Enter your email.")
        delivery = self.auth.forgot_password(username)
        self.username = username
        self.show("reset", notice=f"We sent a code to {delivery.destination if delivery else username}.")

    def submit_reset(self) -> None:
        code, password = self._value("reset.code"), self.inputs["reset.password"].value
        if not code or not password:
            raise AuthError("Enter the code and a new password.")
        if password != self.inputs["reset.confirm_password"].value:
            raise AuthError("The two passwords differ: type the same password twice.")
        self.auth.confirm_forgot_password(self.username, code, password)
        self.inputs["sign_in.username"].value = self.username
        self._clear_secrets()
        self.show("sign_in", notice="Your password was changed: sign in with the new one.")

    def sign_out(self) -> None:
        self.auth.sign_out()
        self._clear_secrets()
        self.show("sign_in", notice="You are signed out.")
        self._changed()

    def show_local_code(self) -> None:
        purpose = "sign-up" if self.view == "confirm" else "forgot-password"
        messages = [m for m in self.auth.mailbox(self.username) if m.get("purpose") == purpose]
        if not messages:
            self.mail.value = "<small>No email for this address in the local mailbox yet.</small>"
            return
        latest = messages[0]
        self.mail.value = (
            "<div style='border-left:3px solid #999;padding-left:8px;margin-top:6px'><small>"
            f"<b>From:</b> {html.escape(latest['from'])}<br><b>To:</b> {html.escape(latest['to'])}<br>"
            f"<b>Subject:</b> {html.escape(latest['subject'])}<br>{html.escape(latest['body'])}</small></div>")

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.auth)

    def _ipython_display_(self) -> None:
        display(self.widget)
