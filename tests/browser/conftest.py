import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (not by the server) would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
        # Playwright runs an event loop in this thread, so the test's own queries went through a
        # connection of that context: close it here, or it outlives the test database.
        from django.db import connections

        connections.close_all()
