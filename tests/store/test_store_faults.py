"""Faults: kill -9 in the middle of a save; accounts for the web platform."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tanzuji.services import Actor, history, save_study
from tanzuji.services.admin import (
    account,
    add_api_client,
    add_org,
    add_user,
    authenticate_client,
    authenticate_user,
)
from tanzuji.services.audit import verify_audit
from tanzuji.store import Store, UnitOfWork

from .conftest import SP
from .helpers import PCB_NEW, PCB_OLD, variant

_KILLED_SAVE = textwrap.dedent(
    """
    import sys, time
    from tanzuji.services import Actor, save_study
    from tanzuji.store import UnitOfWork, open_store
    from tanzuji.store import uow as m

    def stalled_commit(self):  # everything written, not yet committed
        self.session.flush()
        print("IN-TRANSACTION", flush=True)
        time.sleep(120)

    m.UnitOfWork.commit = stalled_commit
    save_study(UnitOfWork(open_store(sys.argv[1])), Actor("victim", "default"), sys.argv[2])
    """
)


def test_kill_9_during_save_leaves_the_database_consistent(
    store: Store, actor: Actor, tmp_path: Path
) -> None:
    first = save_study(UnitOfWork(store), actor, SP)
    changed = variant(tmp_path, "v", PCB_OLD, PCB_NEW)
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SAVE, store.url, str(changed)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "IN-TRANSACTION", line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    hist = history(UnitOfWork(store, write=False), actor, "EX-SP-2025")
    assert [h.revision_id for h in hist] == [first.revision_id]
    assert verify_audit(UnitOfWork(store, write=False)).ok
    again = save_study(UnitOfWork(store), actor, changed)  # the lock is gone, the save works
    assert again.created and again.parent_id == first.revision_id
    assert verify_audit(UnitOfWork(store, write=False)).ok


def test_accounts_for_the_web_platform(store: Store, actor: Actor) -> None:
    add_org(UnitOfWork(store), actor, "ACME")
    add_user(
        UnitOfWork(store),
        actor,
        "Eva@acme.cn",
        org="ACME",
        role="editor",
        password="a long enough password",
        display_name="Eva",
    )
    add_user(UnitOfWork(store), actor, "nopw@acme.cn", org="ACME", role="viewer")
    info = authenticate_user(
        UnitOfWork(store, write=False), "eva@ACME.cn", "a long enough password"
    )
    assert info is not None
    assert (info.subject, info.org_name, info.role, info.name) == (
        "user:eva@acme.cn",
        "ACME",
        "editor",
        "Eva",
    )
    assert authenticate_user(UnitOfWork(store, write=False), "eva@acme.cn", "wrong") is None
    assert authenticate_user(UnitOfWork(store, write=False), "nobody@acme.cn", "x") is None
    assert authenticate_user(UnitOfWork(store, write=False), "nopw@acme.cn", "") is None
    assert account(UnitOfWork(store, write=False), "user:eva@acme.cn") == info
    assert account(UnitOfWork(store, write=False), "user:ghost@acme.cn") is None
    client = add_api_client(UnitOfWork(store), actor, org="ACME", name="PACT")
    c = authenticate_client(
        UnitOfWork(store, write=False), client["client_id"], client["client_secret"]
    )
    assert c is not None and c.kind == "client" and c.org_name == "ACME"
    assert authenticate_client(UnitOfWork(store, write=False), client["client_id"], "x") is None


def test_demo_seeds_history_diff_and_trend_once(store: Store, actor: Actor) -> None:
    from tanzuji.services.demo import seed_demo
    from tanzuji.services.trend import trend

    dirs = [SP.parent, SP.parent.parent / "three-phase-meter"]
    saved = seed_demo(lambda: UnitOfWork(store), actor, dirs)
    assert [(r.study_key, r.seq) for _, r in saved] == [
        ("EX-SP-2025", 1),
        ("EX-SP-2024", 1),
        ("EX-SP-2025", 2),
        ("EX-TP-2025", 1),
    ]
    assert len(history(UnitOfWork(store, write=False), actor, "EX-SP-2025")) == 2
    years = [p["year"] for p in trend(UnitOfWork(store, write=False), actor, "DDZY-X1（示例）")]
    assert years == [2024, 2025]
    assert seed_demo(lambda: UnitOfWork(store), actor, dirs) == []  # again: nothing new
