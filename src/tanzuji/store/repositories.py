"""Repositories: the queries and inserts of each aggregate, over one SQLAlchemy session."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from tanzuji.errors import NotFoundError
from tanzuji.i18n import tr
from tanzuji.store.hashing import GENESIS, audit_hash, content_hash, now_iso, sha256_hex
from tanzuji.store.models import (
    ApiClient,
    AuditEntry,
    AuditHead,
    Blob,
    CalibrationCertificate,
    Evaluation,
    Instrument,
    LibraryRevision,
    Organisation,
    Product,
    Report,
    ReportCounter,
    RevisionLibrary,
    Study,
    StudyRevision,
    User,
)

__all__ = [
    "AuditRepository",
    "EvaluationRepository",
    "InstrumentRepository",
    "LibraryRepository",
    "OrgRepository",
    "ProductRepository",
    "ReportRepository",
    "RevisionRepository",
    "UserRepository",
]


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


class OrgRepository(_Repo):
    """Organisations (tenants)."""

    def get(self, name: str) -> Organisation | None:
        return self.session.scalar(select(Organisation).where(Organisation.name == name))

    def by_id(self, org_id: int) -> Organisation:
        org = self.session.get(Organisation, org_id)
        if org is None:
            raise NotFoundError(tr(f"没有编号为 {org_id} 的组织", f"no organisation {org_id}"))
        return org

    def require(self, name: str) -> Organisation:
        org = self.get(name)
        if org is None:
            raise NotFoundError(
                tr(
                    f"数据库中没有组织 {name!r}（用 tanzuji org add 添加）",
                    f"no organisation {name!r} in the database (add it with tanzuji org add)",
                )
            )
        return org

    def add(self, name: str) -> Organisation:
        org = Organisation(name=name, created_at=now_iso())
        self.session.add(org)
        self.session.flush()
        return org

    def list(self) -> Sequence[Organisation]:
        return self.session.scalars(select(Organisation).order_by(Organisation.name)).all()


class UserRepository(_Repo):
    """Users and API clients."""

    def get(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email.lower()))

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def list(self, org_id: int | None = None) -> Sequence[User]:
        q = select(User).order_by(User.email)
        if org_id is not None:
            q = q.where(User.org_id == org_id)
        return self.session.scalars(q).all()

    def get_client(self, client_id: str) -> ApiClient | None:
        return self.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))

    def add_client(self, client: ApiClient) -> ApiClient:
        self.session.add(client)
        self.session.flush()
        return client


class ProductRepository(_Repo):
    """Products of an organisation."""

    def get_by_key(self, org_id: int, key: str) -> Product | None:
        return self.session.scalar(
            select(Product).where(Product.org_id == org_id, Product.key == key)
        )

    def add(self, product: Product) -> Product:
        self.session.add(product)
        self.session.flush()
        return product

    def list(self, org_id: int) -> Sequence[Product]:
        return self.session.scalars(
            select(Product).where(Product.org_id == org_id).order_by(Product.key)
        ).all()

    def find(self, org_id: int, text: str) -> Sequence[Product]:
        """Products whose key, model, name or an identifier equals ``text`` (else contains it)."""
        base = select(Product).where(Product.org_id == org_id)
        exact = self.session.scalars(
            base.where(or_(Product.key == text, Product.model == text, Product.name == text))
        ).all()
        if exact:
            return exact
        like = f"%{text}%"
        return self.session.scalars(
            base.where(
                or_(
                    Product.key.like(like),
                    Product.model.like(like),
                    Product.name.like(like),
                    Product.identifiers.like(like),
                )
            ).order_by(Product.key)
        ).all()


class RevisionRepository(_Repo):
    """Studies, their immutable revisions and the source files (blobs)."""

    def study(self, org_id: int, study_key: str) -> Study | None:
        return self.session.scalar(
            select(Study).where(Study.org_id == org_id, Study.study_key == study_key)
        )

    def study_key(self, study_id: int) -> str:
        row = self.session.get(Study, study_id)
        return row.study_key if row is not None else str(study_id)

    def studies_of_product(self, product_id: int) -> Sequence[Study]:
        return self.session.scalars(
            select(Study).where(Study.product_id == product_id).order_by(Study.study_key)
        ).all()

    def add_study(self, study: Study) -> Study:
        self.session.add(study)
        self.session.flush()
        return study

    def advance_head(self, study: Study, expected: str | None, new: str) -> bool:
        """Move the study's head from ``expected`` to ``new``; False if someone moved it first."""
        cond = (
            Study.head_revision_id.is_(None)
            if expected is None
            else Study.head_revision_id == expected
        )
        res = self.session.execute(
            update(Study)
            .where(Study.id == study.id, cond)
            .values(head_revision_id=new, revision_count=Study.revision_count + 1)
            .execution_options(synchronize_session=False)
        )
        ok = bool(getattr(res, "rowcount", 0) == 1)
        if ok:
            self.session.expire(study)
        return ok

    def add(self, rev: StudyRevision) -> StudyRevision:
        self.session.add(rev)
        self.session.flush()
        return rev

    def get(self, rev_id: str, org_id: int | None = None) -> StudyRevision:
        """A revision by id or unique prefix (at least 6 hex digits)."""
        ident = rev_id.strip().lower()
        q = select(StudyRevision)
        if org_id is not None:
            q = q.where(StudyRevision.org_id == org_id)
        if len(ident) == 64:
            found = list(self.session.scalars(q.where(StudyRevision.id == ident)))
        elif len(ident) >= 6 and all(c in "0123456789abcdef" for c in ident):
            found = list(self.session.scalars(q.where(StudyRevision.id.like(ident + "%")).limit(2)))
        else:
            found = []
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise NotFoundError(
                tr(
                    f"修订号前缀 {rev_id} 不唯一，请多写几位",
                    f"revision prefix {rev_id} is ambiguous; give more digits",
                )
            )
        raise NotFoundError(tr(f"没有修订 {rev_id}", f"no revision {rev_id}"))

    def history(self, study_id: int, limit: int | None = None) -> Sequence[StudyRevision]:
        q = (
            select(StudyRevision)
            .where(StudyRevision.study_id == study_id)
            .order_by(StudyRevision.seq.desc())
        )
        if limit:
            q = q.limit(limit)
        return self.session.scalars(q).all()

    def put_blob(self, data: bytes) -> str:
        sha = sha256_hex(data)
        if self.session.get(Blob, sha) is None:
            self.session.add(Blob(sha256=sha, size=len(data), data=data))
            self.session.flush()
        return sha

    def blob(self, sha: str) -> bytes | None:
        b = self.session.get(Blob, sha)
        return None if b is None else b.data


class LibraryRepository(_Repo):
    """Factor-library revisions (content-addressed) and the pins of study revisions."""

    def get_or_add(self, library_key: str, content: dict[str, Any]) -> LibraryRevision:
        from tanzuji.store.hashing import canonical_json

        text_ = canonical_json(content)
        sha = sha256_hex(text_)
        found = self.session.scalar(
            select(LibraryRevision).where(
                LibraryRevision.library_key == library_key, LibraryRevision.content_sha256 == sha
            )
        )
        if found is not None:
            return found
        parent = self.session.scalar(
            select(LibraryRevision)
            .where(LibraryRevision.library_key == library_key)
            .order_by(LibraryRevision.created_at.desc())
            .limit(1)
        )
        parent_id = parent.id if parent else None
        rev = LibraryRevision(
            id=content_hash(
                {
                    "kind": "tanzuji.library-revision/1",
                    "library": library_key,
                    "content_sha256": sha,
                    "parent": parent_id,
                }
            ),
            library_key=library_key,
            parent_id=parent_id,
            content_sha256=sha,
            content=text_,
            created_at=now_iso(),
        )
        self.session.add(rev)
        self.session.flush()
        return rev

    def get_or_add_many(
        self, contents: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[LibraryRevision]:
        """:meth:`get_or_add` for several libraries, with one query when all are known."""
        shas = [_library_sha(c) for _, c in contents]
        known = {
            (r.library_key, r.content_sha256): r
            for r in self.session.scalars(
                select(LibraryRevision).where(LibraryRevision.content_sha256.in_(shas))
            )
        }
        return [
            known.get((key, sha)) or self.get_or_add(key, c)
            for (key, c), sha in zip(contents, shas, strict=True)
        ]

    def pin(self, revision_id: str, libraries: Sequence[LibraryRevision]) -> None:
        for i, lib in enumerate(libraries):
            self.session.add(
                RevisionLibrary(revision_id=revision_id, position=i, library_revision_id=lib.id)
            )
        self.session.flush()

    def pinned(self, revision_id: str) -> list[LibraryRevision]:
        rows = self.session.execute(
            select(LibraryRevision)
            .join(RevisionLibrary, RevisionLibrary.library_revision_id == LibraryRevision.id)
            .where(RevisionLibrary.revision_id == revision_id)
            .order_by(RevisionLibrary.position)
        ).scalars()
        return list(rows)


_LIB_SHA: dict[int, tuple[dict[str, Any], str]] = {}


def _library_sha(content: dict[str, Any]) -> str:
    """SHA-256 of a library content's canonical JSON, cached by the identity of the
    (shared, never mutated) content object, which the cache holds so it is never reused."""
    from tanzuji.store.hashing import canonical_json

    hit = _LIB_SHA.get(id(content))
    if hit is not None and hit[0] is content:
        return hit[1]
    sha = sha256_hex(canonical_json(content))
    if len(_LIB_SHA) > 64:
        _LIB_SHA.clear()
    _LIB_SHA[id(content)] = (content, sha)
    return sha


class EvaluationRepository(_Repo):
    """Stored evaluations."""

    def add(self, ev: Evaluation) -> Evaluation:
        if self.session.get(Evaluation, ev.id) is None:
            self.session.add(ev)
            self.session.flush()
        return ev

    def get(self, ev_id: str) -> Evaluation | None:
        return self.session.get(Evaluation, ev_id)

    def of_revision(self, revision_id: str) -> Sequence[Evaluation]:
        return self.session.scalars(
            select(Evaluation)
            .where(Evaluation.revision_id == revision_id)
            .order_by(Evaluation.created_at)
        ).all()

    def latest(self, revision_id: str, method: str = "jjf") -> Evaluation | None:
        return self.session.scalar(
            select(Evaluation)
            .where(Evaluation.revision_id == revision_id, Evaluation.method == method)
            .order_by(Evaluation.created_at.desc())
            .limit(1)
        )

    def latest_many(
        self, revision_ids: Sequence[str], method: str = "jjf"
    ) -> dict[str, Evaluation]:
        """The latest evaluation of each revision (one query)."""
        out: dict[str, Evaluation] = {}
        if not revision_ids:
            return out
        for ev in self.session.scalars(
            select(Evaluation)
            .where(Evaluation.revision_id.in_(list(revision_ids)), Evaluation.method == method)
            .order_by(Evaluation.created_at)
        ):
            out[ev.revision_id] = ev
        return out

    def head_results(self, product_id: int) -> list[tuple[StudyRevision, Evaluation | None]]:
        """For each study of the product: its head revision and latest JJF evaluation."""
        heads = self.session.execute(
            select(StudyRevision)
            .join(Study, Study.head_revision_id == StudyRevision.id)
            .where(Study.product_id == product_id)
            .order_by(StudyRevision.period, StudyRevision.created_at)
        ).scalars()
        revs = list(heads)
        latest = self.latest_many([r.id for r in revs])
        return [(rev, latest.get(rev.id)) for rev in revs]


class ReportRepository(_Repo):
    """Issued reports and their gap-free numbers."""

    def next_number(self, org_id: int, year: int) -> int:
        """Allocate the next report number of the organisation and year (this transaction)."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt: Any = pg_insert(ReportCounter)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(ReportCounter)
        stmt = (
            stmt.values(org_id=org_id, year=year, last=1)
            .on_conflict_do_update(
                index_elements=[ReportCounter.org_id, ReportCounter.year],
                set_={"last": ReportCounter.last + 1},
            )
            .returning(ReportCounter.last)
        )
        value = self.session.execute(stmt).scalar_one()
        return int(value)

    def add(self, report: Report) -> Report:
        self.session.add(report)
        self.session.flush()
        return report

    def list(self, org_id: int) -> Sequence[Report]:
        return self.session.scalars(
            select(Report).where(Report.org_id == org_id).order_by(Report.year, Report.seq)
        ).all()

    def by_number(self, org_id: int, number: str) -> Sequence[Report]:
        return self.session.scalars(
            select(Report).where(Report.org_id == org_id, Report.number == number)
        ).all()


class InstrumentRepository(_Repo):
    """The instrument register of an organisation and its certificates."""

    def upsert(self, org_id: int, inst: Any) -> Instrument:
        """Add or update one register entry from a study's instrument (and its certificates)."""
        row = self.session.scalar(
            select(Instrument).where(
                Instrument.org_id == org_id, Instrument.instrument_key == inst.id
            )
        )
        kind = getattr(inst.kind, "value", inst.kind)
        if row is None:
            row = Instrument(org_id=org_id, instrument_key=inst.id, name=inst.name)
            self.session.add(row)
        row.name, row.kind, row.model = inst.name, str(kind), inst.model
        row.accuracy_class = inst.accuracy_class
        self.session.flush()
        certs = [c for c in (inst.certificate, *inst.history) if c is not None]
        for c in certs:
            have = self.session.scalar(
                select(CalibrationCertificate).where(
                    CalibrationCertificate.instrument_id == row.id,
                    CalibrationCertificate.number == c.number,
                )
            )
            if have is None:
                self.session.add(
                    CalibrationCertificate(
                        instrument_id=row.id,
                        number=c.number,
                        issuer=c.issuer,
                        kind=c.type,
                        issued_on=c.date.isoformat() if c.date else None,
                        valid_until=c.valid_until.isoformat() if c.valid_until else None,
                    )
                )
        self.session.flush()
        return row

    def expiring(
        self, org_id: int, within_days: int, today: dt.date | None = None
    ) -> list[tuple[Instrument, CalibrationCertificate]]:
        """Current certificates (the latest per instrument) expiring within ``within_days``."""
        today = today or dt.date.today()
        limit = (today + dt.timedelta(days=within_days)).isoformat()
        latest = (
            select(
                CalibrationCertificate.instrument_id,
                func.max(CalibrationCertificate.valid_until).label("vu"),
            )
            .group_by(CalibrationCertificate.instrument_id)
            .subquery()
        )
        rows = self.session.execute(
            select(Instrument, CalibrationCertificate)
            .join(CalibrationCertificate, CalibrationCertificate.instrument_id == Instrument.id)
            .join(
                latest,
                (latest.c.instrument_id == CalibrationCertificate.instrument_id)
                & (latest.c.vu == CalibrationCertificate.valid_until),
            )
            .where(Instrument.org_id == org_id, CalibrationCertificate.valid_until <= limit)
            .order_by(CalibrationCertificate.valid_until, Instrument.instrument_key)
        ).all()
        return [(r[0], r[1]) for r in rows]


class AuditRepository(_Repo):
    """The append-only hash chain."""

    def __init__(self, session: Session, key: bytes | None) -> None:
        super().__init__(session)
        self.key = key

    def head(self, *, lock: bool = False) -> AuditHead:
        q = select(AuditHead).where(AuditHead.id == 1)
        if lock:
            q = q.with_for_update()
        head = self.session.scalar(q)
        if head is None:  # a database whose genesis row was removed: start again visibly
            head = AuditHead(id=1, seq=0, hash=GENESIS)
            self.session.add(head)
        return head

    def append(
        self,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        object_sha256: str | None = None,
        org_id: int | None = None,
    ) -> AuditEntry:
        head = self.head(lock=True)
        seq = head.seq + 1
        at = now_iso()
        fields = entry_fields(seq, org_id, actor, action, object_type, object_id, object_sha256, at)
        h = audit_hash(fields, head.hash, self.key)
        entry = AuditEntry(
            seq=seq,
            org_id=org_id,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_sha256=object_sha256,
            at=at,
            prev_hash=head.hash,
            hash=h,
        )
        self.session.add(entry)
        head.seq, head.hash = seq, h
        self.session.flush()
        return entry

    def entries(self, batch: int = 5000) -> Iterator[AuditEntry]:
        last = 0
        while True:
            rows = self.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            ).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def entry_fields(
    seq: int,
    org_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    object_sha256: str | None,
    at: str,
) -> dict[str, Any]:
    """The fields an audit entry's hash covers."""
    return {
        "seq": seq,
        "org_id": org_id,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_sha256": object_sha256,
        "at": at,
    }


def loads(text_: str) -> Any:
    """Parse stored JSON."""
    return json.loads(text_)
