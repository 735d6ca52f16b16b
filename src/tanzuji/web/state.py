"""Everything one application instance holds: settings, codecs, limiter, jobs, accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tanzuji.web.accounts import Accounts
from tanzuji.web.jobs import JobRunner
from tanzuji.web.public import Publications
from tanzuji.web.security import CsrfCodec, LoginLimiter, TokenCodec
from tanzuji.web.settings import WebSettings

__all__ = ["AppState", "templates_env"]

_HERE = Path(__file__).parent

#: Threads serving the hot stored read at once, per server process (see
#: :meth:`AppState.read_threads`): enough to overlap one query's wait with another's work.
READ_THREADS = 4


def templates_env() -> Any:
    """The Jinja2 environment of the UI (autoescaped)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class AppState:
    settings: WebSettings
    accounts: Accounts
    tokens: TokenCodec
    csrf: CsrfCodec
    limiter: LoginLimiter
    jobs: JobRunner
    templates: Any
    store: Any = None
    publications: Publications | None = None
    read_limiter: Any = None
    """The threads of the hot stored read (:func:`read_threads`), made on first use."""

    def read_threads(self) -> Any:
        """The capacity limiter of the hot stored read: :data:`READ_THREADS` threads.

        Not anyio's default of 40: a read is a millisecond of Python around one query, so
        on a burst forty threads only take turns holding the interpreter, the event loop
        that sends their finished responses waits behind all of them, and the server falls
        further behind (seen as a minute-long collapse of every endpoint at 500 reads/s).
        Requests beyond the limit wait in the event loop, which costs nothing.
        """
        if self.read_limiter is None:
            import anyio

            self.read_limiter = anyio.CapacityLimiter(READ_THREADS)
        return self.read_limiter

    def bearer_org(self, token: str) -> str | None:
        """The organisation of a valid access token (``/auth/token``), else ``None``.

        The one credential system: the PACT router takes this as its ``bearer_org``.
        """
        claims = self.tokens.read(token, kind="access")
        principal = self.accounts.principal(str(claims["sub"])) if claims else None
        return principal.org_name if principal is not None else None

    @classmethod
    def build(
        cls,
        settings: WebSettings,
        accounts: Accounts,
        store: Any = None,
        publications: Publications | None = None,
    ) -> AppState:
        attempts, window = settings.login_attempts, settings.login_window_seconds
        limiter: Any = LoginLimiter(attempts, window)
        jobs: Any = JobRunner(workers=1)
        if store is not None:  # shared by every worker process (``serve --workers N``)
            from tanzuji.web.shared import StoreJobRunner, StoreLoginLimiter

            limiter = StoreLoginLimiter(store, attempts, window)
            jobs = StoreJobRunner(store, per_owner=settings.jobs_per_org)
        return cls(
            settings=settings,
            accounts=accounts,
            tokens=TokenCodec(settings.secret_key),
            csrf=CsrfCodec(settings.secret_key),
            limiter=limiter,
            jobs=jobs,
            templates=templates_env(),
            store=store,
            publications=publications,
        )
