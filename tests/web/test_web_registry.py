"""The authority's registry: every footprint published to everyone, plus those shared
privately with the authority's own organisation, never those shared with others; search
on the shown fields; CSV and xlsx export with the visibility column."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tanzuji.web.app import create_app
from tanzuji.web.backend import StoreAccounts
from tanzuji.web.publishing import StorePublications
from tanzuji.web.settings import WebSettings

from .conftest import EXAMPLES, SECRET, csrf_of
from .storekit import PASSWORD, StoreWorld, issue_report, make_store, tiny_signed_pdf


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[StoreWorld, dict[str, str]]:
    """maker: single-phase public, three-phase shared with lab only; rival: single-phase
    shared privately with gov (the authority's organisation)."""
    from tanzuji.services.context import Actor
    from tanzuji.services.save import save_study
    from tanzuji.services.sharing import publish, share_revision
    from tanzuji.store import UnitOfWork

    tmp = tmp_path_factory.mktemp("registry")
    w = make_store(tmp)
    pdf = tiny_signed_pdf(tmp)
    pubs: dict[str, str] = {}
    cases = {
        "public": ("maker", "single-phase-meter", []),
        "to-lab": ("maker", "three-phase-meter", ["lab"]),
        "to-gov": ("rival", "single-phase-meter", ["gov"]),
    }
    for name, (org, example, to) in cases.items():
        actor = Actor(user=f"ed@{org}.example", org=org)
        rev = save_study(UnitOfWork(w.store), actor, EXAMPLES / example / "study.yaml")
        share_revision(UnitOfWork(w.store), actor, rev.revision_id, "lab")
        number = issue_report(w.store, "lab", "eva@lab.example", rev.revision_id, pdf)
        info = publish(UnitOfWork(w.store), actor, rev.revision_id, to=to)
        pubs[name] = info["publication"]
        pubs[name + ":report"] = number
    return w, pubs


def _search(w: StoreWorld, q: str | None, org: str | None = "gov") -> list[dict]:  # type: ignore[type-arg]
    from tanzuji.services.context import Actor
    from tanzuji.services.registry import registry_search
    from tanzuji.store import UnitOfWork

    actor = Actor(user="auth@gov.example", org=org) if org else None
    return registry_search(UnitOfWork(w.store, write=False), q, actor=actor)


def test_registry_lists_public_and_shared_with_the_authority_only(
    world: tuple[StoreWorld, dict[str, str]],
) -> None:
    w, pubs = world
    rows = _search(w, None)
    seen = {r["publication"]: r["visibility"] for r in rows}
    assert seen == {pubs["public"]: "public", pubs["to-gov"]: "shared"}
    shared = next(r for r in rows if r["visibility"] == "shared")
    assert shared["manufacturer"] == "rival" and shared["evaluator"] == "lab"
    assert shared["report"] == pubs["to-gov:report"]
    # without an organisation (anonymous use of the service): public ones only
    assert [r["publication"] for r in _search(w, None, org=None)] == [pubs["public"]]


def test_registry_search_matches_the_shown_fields_only(
    world: tuple[StoreWorld, dict[str, str]],
) -> None:
    w, pubs = world
    assert {r["publication"] for r in _search(w, "单相")} == {pubs["public"], pubs["to-gov"]}
    assert [r["publication"] for r in _search(w, "RIVAL")] == [pubs["to-gov"]]
    assert [r["publication"] for r in _search(w, pubs["public:report"])] == [pubs["public"]]
    # three-phase is shared with lab only: not found by the authority whatever it types
    assert _search(w, "三相") == []
    # LIKE wildcards are taken literally; a word only in the study's body matches nothing
    assert _search(w, "%") == [] and _search(w, "_") == []
    assert _search(w, "生产用电总表") == []


def test_registry_export_has_the_visibility_column(
    world: tuple[StoreWorld, dict[str, str]],
) -> None:
    w, pubs = world
    app = create_app(
        WebSettings(secret_key=SECRET),
        StoreAccounts(w.store),
        store=w.store,
        publications=StorePublications(w.store),
    )
    with TestClient(app, base_url="http://127.0.0.1") as c:
        token = csrf_of(c.get("/login").text)
        r = c.post(
            "/login",
            data={"email": "auth@gov.example", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        page = c.get("/registry")
        assert "2 项碳足迹，2 家生产者" in page.text and "其中 1 项私下共享给本机构" in page.text
        text = c.get("/registry.csv").content.decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text)))
        assert table[0][-1] == "发布范围"
        by_pub = {row[11]: row[-1] for row in table[1:]}
        assert by_pub == {pubs["public"]: "公开", pubs["to-gov"]: "私下共享给本机构"}
        # the private footprint's page (linked from the list) opens for the authority it
        # was shared with; it has no public page
        assert f'href="/footprints/{pubs["to-gov"]}"' in page.text
        assert f'href="/p/{pubs["public"]}"' in page.text
        assert c.get(f"/footprints/{pubs['to-gov']}").status_code == 200
        assert c.get(f"/footprints/{pubs['to-lab']}").status_code == 404
        c.cookies.clear()
        assert c.get(f"/p/{pubs['to-gov']}").status_code == 404
