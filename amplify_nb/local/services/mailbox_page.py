"""The local mailbox as a web page, for trainees who only have a browser: what Mailpit or MailHog show for captured
mail. GET /_amplify_nb/mailbox answers this page when the browser asks for HTML (and JSON otherwise, for
`Auth.mailbox` and scripts); `?to=` shows one address's mail. Newest first; it reloads itself every few seconds,
so a code sent after it was opened appears without a click. Everything shown is escaped."""
from __future__ import annotations

import html
import urllib.parse

REFRESH_SECONDS = 5
PURPOSES = {"sign-up": "Confirm your account", "forgot-password": "Reset your password"}


def wants_html(accept: str) -> bool:
    """A browser's navigation asks for text/html first; `*/*` (urllib, requests, fetch) gets JSON."""
    return "text/html" in (accept or "").lower()


def render_mailbox(messages: list[dict], to: str | None = None) -> bytes:
    shown = f" to {html.escape(to)}" if to else ""
    rows = "\n".join(_message(message) for message in messages) or (
        f"<p class='empty'>No mail{shown} yet. Codes appear here after a sign-up or a password reset.</p>")
    everyone = "" if not to else "<p><a href='?'>Show the mail to every address</a></p>"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>Local mailbox{shown}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; color: #222; background: #fafafa; }}
  h1 {{ font-size: 1.4rem; }} .muted, .empty {{ color: #666; }}
  article {{ background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 1rem 1.2rem; margin: 1rem 0; }}
  .meta {{ font-size: .85rem; color: #555; }} .code {{ font: 600 2rem/1.2 ui-monospace, monospace;
  letter-spacing: .2rem; margin: .4rem 0; user-select: all; }} .purpose {{ font-weight: 600; }}
</style></head>
<body><h1>Local mailbox{shown}</h1>
<p class="muted">The local cloud delivers Cognito's emails here instead of sending them (newest first; this page
reloads every {REFRESH_SECONDS} s). Also: <code>amplify-nb local mailbox</code>.</p>
{everyone}
{rows}
</body></html>"""
    return page.encode("utf-8")


def _message(message: dict) -> str:
    get = lambda name: html.escape(str(message.get(name) or ""))  # noqa: E731
    purpose = html.escape(PURPOSES.get(str(message.get("purpose")), str(message.get("purpose") or "")))
    to = urllib.parse.quote(str(message.get("to") or ""))
    return (f"<article class='message'><div class='meta'>{get('time')} · from {get('from')} · to "
            f"<a href='?to={to}'>{get('to')}</a></div>"
            f"<div class='purpose'>{purpose}: {get('subject')}</div>"
            f"<div class='code' data-code>{get('code')}</div>"
            f"<div>{get('body')}</div><div class='meta'>expires {get('expires_at')}</div></article>")
