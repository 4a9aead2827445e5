"""Sign-in by e-mail code, new-device confirmation, a forgotten password, and two-step
sign-in with an authenticator app, in the browser against a server that sends real mail
(aiosmtpd) and checks real TOTP codes (pyotp computes them here)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import sign_in
from tests.browser.server import running_server
from tests.support.security import CODE, SmtpServer

NEW_PASSWORD = "amber-orchard-piano-77"


class Mailbox:
    """The codes mailed to one address, newest last."""

    def __init__(self, smtp: SmtpServer, address: str) -> None:
        self.smtp = smtp
        self.address = address
        self.seen = 0

    def next_code(self) -> str:
        """The code of the next mail to this address (waiting for it)."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            found = self.smtp.inbox.to(self.address)
            if len(found) > self.seen:
                self.seen += 1
                body = found[self.seen - 1].get_payload(decode=True)
                assert isinstance(body, bytes)
                match = CODE.search(body.decode())
                assert match, body
                return match.group(1)
            time.sleep(0.05)
        raise AssertionError(f"no mail #{self.seen + 1} to {self.address}")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[WebServer]:
    env = {
        "TIDINGS_SMTP_URL": smtp.url,
        # One test mails one address more than the 5 an hour a person gets, all from 127.0.0.1.
        "TIDINGS_RATE_CODE_SEND_DESTINATION": "off",
        "TIDINGS_RATE_CODE_SEND_ADDRESS": "off",
    }
    with running_server(tmp_path_factory.mktemp("mail-server"), env) as server:
        yield server


def password_sign_in(page: Page, base_url: str, account: str, password: str = PASSWORD) -> None:
    page.goto(base_url)
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", password)
    page.click("[data-testid=sign-in] button[type=submit]")


def connected(page: Page) -> None:
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def test_email_code_sign_in_new_device_confirmation_and_forgotten_password(
    mail_server: WebServer, smtp: SmtpServer, new_context: Any
) -> None:
    lena = mail_server.register(unique("lena"), "Lena Xu")
    account = lena["user"]["account"]
    mailbox = Mailbox(smtp, f"{account}@example.com")

    # Bind the address in Settings → Account security, with the code mailed to it.
    first: Page = new_context().new_page()
    sign_in(first, mail_server.base_url, account)
    first.get_by_test_id("rail-settings").click()
    first.get_by_test_id("open-security").click()
    binding = first.get_by_test_id("binding-email")
    expect(binding.get_by_test_id("binding-value")).to_have_text("Not bound")
    binding.get_by_test_id("bind").click()
    panel = binding.get_by_test_id("bind-panel")
    panel.locator("input[name=destination]").fill(mailbox.address)
    panel.locator("button[type=submit]").click()
    expect(panel.get_by_test_id("code-sent")).to_contain_text(mailbox.address)
    panel.locator("input[name=code]").fill(mailbox.next_code())
    panel.locator("button[type=submit]").click()
    expect(binding.get_by_test_id("binding-value")).to_contain_text(mailbox.address)
    expect(binding.get_by_test_id("binding-value")).to_contain_text("Verified")
    first.get_by_test_id("security-back").click()
    first.get_by_test_id("sign-out").click()

    # Sign in with a code mailed to the bound address.
    first.goto(mail_server.base_url)
    first.get_by_test_id("sign-in-methods").get_by_role("tab", name="Email code").click()
    first.fill("input[name=destination]", mailbox.address)
    first.get_by_test_id("send-code").click()
    expect(first.get_by_test_id("code-sent")).to_contain_text(mailbox.address)
    first.fill("input[name=code]", mailbox.next_code())
    first.click("[data-testid=sign-in] button[type=submit]")
    connected(first)

    # A password sign-in from a new device must be confirmed with a mailed code.
    second: Page = new_context().new_page()
    password_sign_in(second, mail_server.base_url, account)
    step = second.get_by_test_id("second-step")
    expect(step).to_have_attribute("data-method", "email")
    masked = f"{account[:1]}***@example.com"
    expect(step).to_contain_text(masked)
    stale = mailbox.next_code()
    step.get_by_test_id("resend-code").click()
    expect(step.get_by_test_id("code-resent")).to_be_visible()
    fresh = mailbox.next_code()
    if stale != fresh:
        step.locator("input[name=code]").fill(stale)
        step.locator("button[type=submit]").click()
        expect(second.get_by_test_id("sign-in-error")).to_contain_text("wrong or has expired")
    step.locator("input[name=code]").fill(fresh)
    step.locator("button[type=submit]").click()
    connected(second)
    # The device is known now (its device token is kept): no confirmation next time.
    second.get_by_test_id("rail-settings").click()
    second.get_by_test_id("sign-out").click()
    password_sign_in(second, mail_server.base_url, account)
    connected(second)

    # Forgot the password: a code to the address, a new password, everyone signed out.
    third: Page = new_context().new_page()
    third.goto(mail_server.base_url)
    third.get_by_test_id("forgot-password").click()
    forgot = third.get_by_test_id("forgot")
    forgot.locator("input[name=destination]").fill(mailbox.address)
    forgot.locator("button[type=submit]").click()
    expect(forgot.get_by_test_id("code-sent")).to_be_visible()
    forgot.locator("input[name=code]").fill(mailbox.next_code())
    forgot.locator("input[name=new_password]").fill(NEW_PASSWORD)
    forgot.locator("input[name=confirm_password]").fill(NEW_PASSWORD)
    forgot.locator("button[type=submit]").click()
    expect(third.get_by_test_id("password-reset-done")).to_be_visible()
    # The web session on the second device (the first was displaced by it) ends, saying why.
    expect(second.get_by_test_id("forced-offline-notice")).to_contain_text("password was changed")
    password_sign_in(third, mail_server.base_url, account, PASSWORD)
    expect(third.get_by_test_id("sign-in-error")).to_contain_text("Wrong account or password")
    password_sign_in(third, mail_server.base_url, account, NEW_PASSWORD)
    third.get_by_test_id("second-step").locator("input[name=code]").fill(mailbox.next_code())
    third.get_by_test_id("second-step").locator("button[type=submit]").click()
    connected(third)


def test_totp_enrolment_then_sign_in_with_a_code_and_with_a_recovery_code(
    mail_server: WebServer, new_context: Any
) -> None:
    mia = mail_server.register(unique("mia"), "Mia Tang")
    account = mia["user"]["account"]
    page: Page = new_context().new_page()
    sign_in(page, mail_server.base_url, account)
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("open-security").click()
    expect(page.get_by_test_id("totp-state")).to_have_text("Off")
    page.get_by_test_id("totp-start").click()
    setup = page.get_by_test_id("totp-setup")
    qr = setup.get_by_test_id("totp-qr")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    assert qr.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    secret = setup.get_by_test_id("totp-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    setup.locator("input[name=code]").fill("000000" if totp.now() != "000000" else "111111")
    setup.locator("button[type=submit]").click()
    expect(setup.get_by_test_id("security-error")).to_contain_text("wrong or has expired")
    setup.locator("input[name=code]").fill(totp.now())
    setup.locator("button[type=submit]").click()
    codes_panel = page.get_by_test_id("recovery-codes")
    expect(codes_panel.get_by_test_id("recovery-code")).to_have_count(10)
    recovery = codes_panel.get_by_test_id("recovery-code").all_inner_texts()
    download = codes_panel.get_by_test_id("recovery-download")
    expect(download).to_have_attribute("download", "tidings-recovery-codes.txt")
    codes_panel.get_by_test_id("recovery-done").click()
    expect(page.get_by_test_id("totp-state")).to_have_text("On")
    expect(page.get_by_test_id("recovery-left")).to_have_text("10 left")
    expect(page.get_by_test_id("known-device").first).to_contain_text("web")

    # Signing in now needs a code from the app (the enrolment's step is spent: the next one).
    page.get_by_test_id("security-back").click()
    page.get_by_test_id("sign-out").click()
    password_sign_in(page, mail_server.base_url, account)
    step = page.get_by_test_id("second-step")
    expect(step).to_have_attribute("data-method", "totp")
    step.locator("input[name=code]").fill(totp.at(time.time() + 30))
    step.locator("button[type=submit]").click()
    connected(page)

    # Or with a recovery code, once.
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("sign-out").click()
    password_sign_in(page, mail_server.base_url, account)
    page.get_by_test_id("switch-second-step").click()
    expect(step).to_have_attribute("data-method", "recovery_code")
    step.locator("input[name=code]").fill(recovery[0].strip())
    step.locator("button[type=submit]").click()
    connected(page)
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("open-security").click()
    expect(page.get_by_test_id("recovery-left")).to_have_text("9 left")

    # Turning it off takes the password.
    page.get_by_test_id("totp-disable").click()
    confirm = page.get_by_test_id("password-confirm")
    confirm.locator("input[name=password]").fill(PASSWORD)
    confirm.locator("button[type=submit]").click()
    expect(page.get_by_test_id("totp-state")).to_have_text("Off")
