"""The mailbox password kept in the system keyring (macOS Keychain, Windows Credential Manager, the Secret Service
on Linux), so that Tracker asks for it once and never writes it into its own files. `keyring` is loaded only here,
only when a password is needed."""

from __future__ import annotations

from tracker.core.errors import TrackerError

SERVICE = "Tracker IMAP"


class NoKeyring(TrackerError):
    """No usable system keyring (a headless machine, a locked or missing Secret Service): ask every time."""


def _service(host: str) -> str:
    return f"{SERVICE} {host.strip().lower()}"


def stored_password(host: str, user: str) -> str | None:
    """The password kept for `user` on `host`, None when there is none; NoKeyring when no keyring can be used."""
    import keyring
    import keyring.errors

    try:
        return keyring.get_password(_service(host), user.strip())
    except keyring.errors.KeyringError as exc:
        raise NoKeyring(_unavailable(exc)) from None
    except Exception as exc:  # a backend's own failure (D-Bus, a locked store) is as good as none
        raise NoKeyring(_unavailable(exc)) from None


def store_password(host: str, user: str, password: str) -> None:
    """Keep the password for `user` on `host` (replacing one kept before); NoKeyring when it cannot be kept."""
    import keyring

    try:
        keyring.set_password(_service(host), user.strip(), password)
    except Exception as exc:
        raise NoKeyring(_unavailable(exc)) from None


def forget_password(host: str, user: str) -> bool:
    """Remove the password kept for `user` on `host`; False when none was kept. NoKeyring when there is none."""
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(_service(host), user.strip())
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise NoKeyring(_unavailable(exc)) from None
    return True


def _unavailable(exc: BaseException) -> str:
    kind = type(exc).__name__
    return f"No system keyring can keep the password here ({kind}), so Tracker asks for it each time."
