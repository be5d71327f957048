"""The local mailbox page: browser-only trainees read their codes there."""
def test_the_mailbox_page_escapes_what_it_shows_and_asks_for_html_only_from_browsers():
    from amplify_nb.local.services.mailbox_page import render_mailbox, wants_html

    page = render_mailbox([{"time": "t", "from": "no-reply@verificationemail.com", "to": "<b>x</b>@example.com",
                            "subject": "Your code", "body": "Your code is 123456", "code": "123456",
                            "purpose": "sign-up", "expires_at": "later"}]).decode()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "data-code>123456<" in page
    assert "No mail to a@example.com yet" in render_mailbox([], "a@example.com").decode()
    assert wants_html("text/html,application/xhtml+xml,*/*;q=0.8") and not wants_html("*/*") and not wants_html("")
