#!/usr/bin/env python3
"""Screenshots of several accounts and account security for docs/screenshots/ (PNG).

The account switcher with a second account's unread count, the sign-in choices (password or
a code by SMS), the second step of a sign-in, Settings → Account security with an
authenticator app being enrolled (QR code and key) and the recovery codes shown once.
Light/English and dark/Chinese on the desktop, and the phone's security page and account
list. Uses the demo server and helpers of scripts/screenshots.py; SMS codes come from the
development log (<data_dir>/dev-sms.log), TOTP codes from pyotp.

    .venv/bin/python scripts/screenshots_security.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pyotp
from playwright.sync_api import Browser, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (
    DESKTOP,
    MOBILE,
    PASSWORD,
    Api,
    context_for,
    demo_server,
    launch_chromium,
    shoot,
    sign_in,
)


def sms_code(data_dir: str, phone: str, count: int) -> str:
    path = Path(data_dir) / "dev-sms.log"
    for _ in range(200):
        if path.exists():
            lines = [line.split() for line in path.read_text().splitlines()]
            codes = [code for to, code in lines if to == phone]
            if len(codes) >= count:
                return codes[count - 1]
        time.sleep(0.05)
    raise RuntimeError(f"no SMS #{count} to {phone}")


def seed(api: Api, data_dir: str) -> None:
    """Carol binds a phone (the sign-in screen offers SMS codes); Dave turns TOTP on."""
    carol = api.login("carol")
    api.call(carol, "POST", "/me/phone", json={"phone": "+8613912345678"})
    code = sms_code(data_dir, "+8613912345678", 1)
    api.call(carol, "POST", "/me/phone/verify", json={"code": code})
    dave = api.register("dave", "Dave Chen")
    enrolment = api.call(dave, "POST", "/me/totp")
    api.call(dave, "POST", "/me/totp/confirm", json={"code": pyotp.TOTP(enrolment["secret"]).now()})
    # Messages to a group of Alice's and Bob's: the switcher counts Bob's while Alice is shown.
    conversations = api.call(carol, "GET", "/conversations")["conversations"]
    groups = [c for c in conversations if c["type"] == "group"]
    for text in ("Standup in 5 minutes", "Release notes are up"):
        api.text(carol, groups[0]["id"], text)


def desktop(browser: Browser, base: str, locale: str, theme: str, suffix: str) -> None:
    # The sign-in choices and the second step.
    page = context_for(browser, locale, theme, DESKTOP, False).new_page()
    page.goto(base)
    expect(page.get_by_test_id("sign-in-methods")).to_be_visible()
    page.get_by_test_id("sign-in-methods").locator("[data-value=sms]").click()
    page.fill("input[name=destination]", "+8613912345678")
    shoot(page, f"sign-in-code-{suffix}")
    page.get_by_test_id("sign-in-methods").locator("[data-value=password]").click()
    page.fill("input[name=account]", "dave")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=sign-in] button[type=submit]")
    expect(page.get_by_test_id("second-step")).to_be_visible()
    shoot(page, f"sign-in-second-step-{suffix}")
    page.context.close()

    # Two accounts: Alice shown, Bob's unread in the switcher.
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
    page.get_by_test_id("account-menu-button").click()
    page.get_by_test_id("add-account").click()
    page.fill("input[name=account]", "bob")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=sign-in] button[type=submit]")
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    page.get_by_test_id("account-menu-button").click()
    page.get_by_test_id("account-menu").locator("[data-account=alice]").click()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    page.get_by_test_id("account-menu-button").click()
    shoot(page, f"desktop-accounts-{suffix}")
    page.locator(".menu-backdrop").click()

    # Account security: an authenticator app being enrolled, then the recovery codes.
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("open-security").click()
    page.get_by_test_id("totp-start").click()
    setup = page.get_by_test_id("totp-setup")
    secret = setup.get_by_test_id("totp-secret").inner_text().strip()
    shoot(page, f"desktop-security-totp-{suffix}")
    setup.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    setup.locator("button[type=submit]").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    shoot(page, f"desktop-security-recovery-{suffix}")
    page.get_by_test_id("recovery-done").click()
    # Alice's TOTP goes off again for the next run of this loop.
    page.get_by_test_id("totp-disable").click()
    page.get_by_test_id("password-confirm").locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("password-confirm").locator("button[type=submit]").click()
    expect(page.get_by_test_id("totp-start")).to_be_visible()
    page.get_by_test_id("change-password").click()
    expect(page.get_by_test_id("password-panel")).to_be_visible()
    shoot(page, f"desktop-security-{suffix}")
    page.context.close()


def mobile(browser: Browser, base: str) -> None:
    page = sign_in(browser, base, locale="zh-CN", theme="light", viewport=MOBILE, mobile=True)
    page.get_by_test_id("rail-settings").tap()
    page.get_by_test_id("accounts-card").get_by_test_id("add-account").tap()
    page.fill("input[name=account]", "bob")
    page.fill("input[name=password]", PASSWORD)
    page.locator("[data-testid=sign-in] button[type=submit]").tap()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    page.get_by_test_id("rail-settings").tap()
    page.get_by_test_id("accounts-card").scroll_into_view_if_needed()
    shoot(page, "mobile-accounts-light-zh")
    page.get_by_test_id("open-security").tap()
    expect(page.get_by_test_id("known-device").first).to_be_visible()
    shoot(page, "mobile-security-light-zh")
    page.context.close()


def main() -> int:
    with demo_server() as (base, data_dir):
        with httpx.Client(timeout=30) as http:
            seed(Api(base, http), data_dir)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            desktop(browser, base, "en-US", "light", "light-en")
            desktop(browser, base, "zh-CN", "dark", "dark-zh")
            mobile(browser, base)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
