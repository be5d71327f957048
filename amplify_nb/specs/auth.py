"""auth: Amplify's `amplify add auth` flow. The default configuration asks three questions (default or manual
configuration, how users sign in, advanced settings?); the manual configuration, or "Yes" to advanced settings, also
asks what a user expects to tune: guest access, MFA, the verification email, the password policy and the refresh
token's lifetime (in Amplify's manual order). Only the manual configuration asks the resource's friendly name.

Defaults and prompts follow the Amplify CLI; limits follow Cognito's quotas:
a password policy of 6-99 characters, a refresh token of 1 hour to 10 years.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Problem
from .base import Spec, answer, check_choice

SIGN_IN_WITH = (
    ("username", "Username"),
    ("email", "Email"),
    ("phone", "Phone Number"),
    ("email_or_phone", "Email or Phone Number"),
)
# sign_in_with -> Cognito's UsernameAttributes (empty: a free username) and Amplify's aws-exports spelling.
USERNAME_ATTRIBUTES = {
    "username": [],
    "email": ["email"],
    "phone": ["phone_number"],
    "email_or_phone": ["email", "phone_number"],
}
MFA_CHOICES = (
    ("off", "OFF"),
    ("optional", "OPTIONAL (Individual users can use MFA with an authenticator app, TOTP)"),
)
PASSWORD_CHARACTERS = (
    ("lowercase", "Requires Lowercase"),
    ("uppercase", "Requires Uppercase"),
    ("numbers", "Requires Numbers"),
    ("symbols", "Requires Symbols"),
)
CONFIGURATIONS = (
    ("default", "Default configuration"),
    ("manual", "Manual configuration"),
)
ADVANCED = (
    ("no", "No, I am done."),
    ("yes", "Yes, I want to make some additional changes."),
)
CODE_PLACEHOLDER = "{####}"

RESOURCE_NAME_MESSAGE = "Resource name must be 1-128 letters or digits (a-z A-Z 0-9), e.g. beerappauth."


def default_resource_name(project_name: str, suffix: str) -> str:
    """Amplify's default: the project name (lower case, letters and digits) followed by 8 hex characters."""
    return re.sub(r"[^a-z0-9]", "", project_name.lower())[:100] + suffix


TUNABLE = ("allow_guests", "mfa", "email_verification_subject", "email_verification_message", "password_min_length",
           "password_requirements", "refresh_token_days")


def _tunable(spec: "AuthSpec") -> bool:
    """The settings beyond the default configuration are asked in manual mode or when advanced settings are wanted."""
    return spec.configuration == "manual" or spec.advanced == "yes"


@dataclass
class AuthSpec(Spec):
    flow = "auth"

    configuration: str = answer(
        "default", "Do you want to use the default authentication and security configuration?",
        choices=CONFIGURATIONS, learn_more=True,
        help="Default configuration: a user pool whose users sign in with the method you choose next, an identity "
             "pool for AWS credentials, Amplify's defaults for everything else (password of 8+ characters, no MFA, "
             "no guests, refresh token of 30 days). Manual configuration walks through every setting, including the "
             "resource's friendly name.")
    resource_name: str = answer(
        "", "Provide a friendly name for your resource that will be used to label this category in the project",
        help="The folder name under amplify/backend/auth/ and the prefix of the user pool and identity pool names. "
             "Letters and digits only.", when=lambda spec: spec.configuration == "manual")
    sign_in_with: str = answer(
        "email", "How do you want users to be able to sign in?", choices=SIGN_IN_WITH,
        help="What people type to sign in. The tutorial uses Email: the address is the username and must be "
             "confirmed with a code. This cannot change once the user pool exists.")
    advanced: str = answer(
        "", "Do you want to configure advanced settings?", choices=ADVANCED,
        when=lambda spec: spec.configuration != "manual", follows=lambda spec: "yes" if spec.tuned() else "no",
        setting=False,
        help="Yes asks the settings the manual configuration asks: guests, MFA, the verification email, the "
             "password policy and the refresh token.")
    allow_guests: bool = answer(
        False, "Allow unauthenticated logins? (Provides scoped down permissions that you can control via AWS IAM)",
        help="Lets visitors who have not signed in get temporary credentials with the guest (unauth) role.",
        when=_tunable)
    mfa: str = answer(
        "off", "Multifactor authentication (MFA) user login options", choices=MFA_CHOICES,
        help="OFF: a password is enough. OPTIONAL: each user may add an authenticator app (TOTP) as a second factor.",
        when=_tunable)
    email_verification_subject: str = answer(
        "Your verification code", "Please specify an email verification subject",
        help="The subject of the email that carries a confirmation or password-reset code.",
        when=_tunable)
    email_verification_message: str = answer(
        "Your verification code is {####}", "Please specify an email verification message",
        help="The email's text; {####} is replaced by the code.",
        when=_tunable)
    password_min_length: int = answer(
        8, "Enter the minimum password length for this User Pool",
        help="Cognito refuses a sign-up whose password is shorter. Between 6 and 99.",
        when=_tunable)
    password_requirements: list = answer(
        [], "Select the password character requirements for your userpool", choices=PASSWORD_CHARACTERS,
        kind="multi", help="Character classes every password must contain. Amplify's default asks for none.",
        when=_tunable)
    refresh_token_days: int = answer(
        30, "Specify the app's refresh token expiration period (in days)",
        help="How long a signed-in user stays signed in without typing the password again. 1-3650 days.",
        when=_tunable)

    @property
    def username_attributes(self) -> list[str]:
        return list(USERNAME_ATTRIBUTES.get(self.sign_in_with, []))

    def tuned(self) -> bool:
        """Any setting beyond the default configuration's differs from its default (so a reader asks for them)."""
        return any(getattr(self, name) != self.default_of(name) for name in TUNABLE)

    def problems(self) -> list[Problem]:
        found: list[Problem] = check_choice(self, "configuration", "Configuration")
        if self.applies("advanced"):
            found += check_choice(self, "advanced", "Advanced settings")
        if not isinstance(self.resource_name, str) or not re.fullmatch(r"[a-zA-Z0-9]{1,128}", self.resource_name):
            found.append(Problem("resource_name", RESOURCE_NAME_MESSAGE))
        found += check_choice(self, "sign_in_with", "Sign-in method")
        if not isinstance(self.allow_guests, bool):
            found.append(Problem("allow_guests", f"Allow unauthenticated logins must be yes or no (got {self.allow_guests!r})."))
        if not _is_int(self.password_min_length) or not 6 <= self.password_min_length <= 99:
            found.append(Problem("password_min_length",
                                 f"Minimum password length must be a whole number between 6 and 99 (got {self.password_min_length!r})."))
        values = [value for value, _ in PASSWORD_CHARACTERS]
        if not isinstance(self.password_requirements, list) or any(r not in values for r in self.password_requirements):
            found.append(Problem("password_requirements",
                                 f"Password requirements must be a list of: {', '.join(values)} (got {self.password_requirements!r})."))
        elif len(set(self.password_requirements)) != len(self.password_requirements):
            found.append(Problem("password_requirements", "Each password requirement may appear only once."))
        found += check_choice(self, "mfa", "MFA")
        subject = self.email_verification_subject
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 140 or "\n" in subject:
            found.append(Problem("email_verification_subject", "The email verification subject must be one line of 1-140 characters."))
        message = self.email_verification_message
        if not isinstance(message, str) or CODE_PLACEHOLDER not in message or not 6 <= len(message) <= 20000:
            found.append(Problem("email_verification_message",
                                 f"The email verification message must contain {CODE_PLACEHOLDER}, where the code goes."))
        if not _is_int(self.refresh_token_days) or not 1 <= self.refresh_token_days <= 3650:
            found.append(Problem("refresh_token_days",
                                 f"The refresh token expiration must be between 1 and 3650 days (got {self.refresh_token_days!r})."))
        return found


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
