"""The secrets Sigap reads from var/ when the environment does not set them.

`make install` runs this (`python -m config.keys`): it writes each missing key file, mode 0600,
and never overwrites one. A server never makes a secret up by itself: config/settings.py reads a
key from the environment, else from its file here, and with DEBUG off refuses to start without
either (with DEBUG on it calls `write` for the one it misses, a developer's convenience).

Only the standard library and cryptography: it runs before Django is set up.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# file in var/ → (the environment variable that takes its place, how a new one is made)
KEYS = {
    "secret_key": ("SECRET_KEY", lambda: secrets.token_urlsafe(50)),
    "data_keys": ("SIGAP_DATA_KEYS", _fernet_key),
    "index_key": ("SIGAP_INDEX_KEY", lambda: secrets.token_urlsafe(48)),
}


def var_dir() -> Path:
    return Path(os.environ.get("SIGAP_VAR_DIR", BASE_DIR / "var"))


def write(directory: Path, name: str) -> bool:
    """Write var/`name` with a new key unless it exists; True when it was written."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    try:
        # O_EXCL: two processes starting at once never overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as file:
        file.write(KEYS[name][1]() + "\n")
    return True


def main() -> int:
    directory = var_dir()
    for name, (variable, _make) in KEYS.items():
        if os.environ.get(variable, "").strip():
            print(f"{variable} is set in the environment; {directory / name} is not needed")
        elif write(directory, name):
            print(f"wrote {directory / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
