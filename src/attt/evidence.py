"""Evidence files: the documents a system holds for its management requirements.

One YAML file per system lists documents (requirement id, document number and title, issue
date, approver, review period or validity, the file itself, whose SHA-256 goes into the
report).  ``evaluate`` applies the level's freshness rules and is pure: the files are read
and hashed at load time only.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import safe_io
from .errors import InputError
from .messages import Msg, T, render
from .model import EvidenceSpec, Requirement, Status
from .yamlio import Node, load_file

# A document bigger than this is not hashed nor copied into a signed bundle: evidence is a
# decision or a report (a few MB), and an unbounded read lets a crafted entry stall a scan.
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024

DOC_KEYS = ("requirement", "key", "number", "title", "issued", "reviewed", "approver",
            "review_months", "valid_until", "file", "note")


@dataclass(frozen=True)
class Document:
    """One document an agency holds for a requirement, as its evidence file lists it."""

    requirement: str
    key: str  # "" covers every document of the requirement
    number: str
    title: str
    issued: dt.date
    reviewed: dt.date | None
    approver: str
    review_months: int | None
    valid_until: dt.date | None
    file: str
    sha256: str | None  # None: the file named is missing or refused (see ``problem``)
    note: str = ""
    # Why the file was not hashed although it was named: outside the evidence folder, not a
    # regular file, too big.  "" when hashed or simply missing.
    problem: str | Msg = ""

    @property
    def last_reviewed(self) -> dt.date:
        """The date the document was last issued or reviewed."""

        return max(self.issued, self.reviewed) if self.reviewed else self.issued

    def to_json(self) -> dict[str, Any]:
        """The document as results.json stores it."""

        return {
            "requirement": self.requirement,
            "key": self.key,
            "number": self.number,
            "title": self.title,
            "issued": self.issued.isoformat(),
            "reviewed": self.reviewed.isoformat() if self.reviewed else None,
            "approver": self.approver,
            "review_months": self.review_months,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "file": self.file,
            "sha256": self.sha256,
            "note": self.note,
            "problem": render(self.problem, "en"),
        }


@dataclass(frozen=True)
class EvidenceSet:
    """A system's evidence file: its documents and the level-approval date."""

    source: str
    system: str
    approval_date: dt.date | None
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class DocResult:
    """The verdict on one required document of a requirement."""

    spec: EvidenceSpec
    status: Status  # pass (attested), fail (stale, too late, file missing), manual (absent)
    text: Msg  # what the verdict says, in every report language (``render``)
    document: Document | None

    @property
    def message(self) -> str:
        """The verdict in English."""

        return self.text.render("en")

    @property
    def message_vi(self) -> str:
        """The verdict in Vietnamese."""

        return self.text.render("vi")

    def to_json(self, lang_neutral: bool = True) -> dict[str, Any]:
        """The verdict as results.json stores it."""

        return {
            "key": self.spec.key,
            "title_vi": self.spec.title_vi,
            "title_en": self.spec.title_en,
            "max_age_months": self.spec.max_age_months,
            "before_approval": self.spec.before_approval,
            "status": self.status.value,
            "message": self.message,
            "message_vi": self.message_vi,
            "document": self.document.to_json() if self.document else None,
        }


def _date(node: Node, key: str, required: bool) -> dt.date | None:
    value = node.date(key)
    if value is None and required:
        raise node.error(key, T("required (YYYY-MM-DD)"))
    return value


def inside(path: str, root: str) -> bool:
    """True when ``path``, every symlink resolved, lies under the folder ``root``."""

    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def document_problem(path: str, root: str) -> str | Msg:
    """Why the file at ``path`` may not be read as evidence under ``root`` ("" if it may).

    Checked on the resolved path before anything is opened: a ``file:`` naming
    ``/etc/shadow``, ``../..`` or a symlink out of the folder is never read, hashed or
    copied into a signed bundle."""

    if not inside(path, root):
        return T("outside the evidence folder")
    try:
        st = os.stat(path)
    except OSError:
        return ""  # missing: reported as "not found"
    if not stat.S_ISREG(st.st_mode):
        return T("not a regular file")
    if st.st_size > MAX_DOCUMENT_BYTES:
        return T("larger than {size} MB", size=MAX_DOCUMENT_BYTES // (1024 * 1024))
    return ""


def sha256_file(path: str, limit: int = MAX_DOCUMENT_BYTES) -> str | None:
    """SHA-256 of a regular file of at most ``limit`` bytes; None when that does not hold."""

    found = safe_io.digest(path, limit)
    return found[0] if found else None


def _resolve(file: str, base: str, root: str) -> tuple[str, str | None, str | Msg]:
    """(full path, sha256, problem) of a document's ``file:`` value."""

    if not file:
        return "", None, ""
    full = os.path.normpath(os.path.join(base, os.path.expanduser(file)))
    problem = document_problem(full, root)
    if problem:
        return full, None, problem
    # Hashed through its resolved path: a symlink inside the folder to a file inside it.
    return full, sha256_file(os.path.realpath(full)), ""


def load_evidence(path: str, root: str = "") -> EvidenceSet:
    """Load an evidence file; document files must lie in its folder, or under ``root``
    (``--evidence-root``) when given."""

    node = Node(load_file(path) or {}, path)
    node.allow("system", "approval_date", "documents")
    base = os.path.dirname(os.path.abspath(path))
    root = os.path.abspath(root) if root else base
    docs = []
    for item in node.items("documents"):
        item.allow(*DOC_KEYS)
        issued = _date(item, "issued", False)
        if issued is None:
            continue  # an unfilled template entry: the document is still to be provided
        full, digest, problem = _resolve(item.text("file", ""), base, root)
        review = item.integer("review_months", 0, lo=0, hi=600) or None
        docs.append(Document(
            requirement=item.text("requirement"),
            key=item.text("key", ""),
            number=item.text("number", ""),
            title=item.text("title"),
            issued=issued,
            reviewed=_date(item, "reviewed", False),
            approver=item.text("approver", ""),
            review_months=review,
            valid_until=_date(item, "valid_until", False),
            file=full,
            sha256=digest,
            note=item.text("note", ""),
            problem=problem,
        ))
    return EvidenceSet(path, node.text("system", ""), _date(node, "approval_date", False),
                       tuple(docs))


def check_requirements(ev: EvidenceSet, known: Sequence[str]) -> None:
    """Every document names a requirement of the profile in use (typos are errors)."""

    ids = set(known)
    for i, doc in enumerate(ev.documents):
        if doc.requirement not in ids:
            raise InputError(ev.source, f"documents[{i}].requirement",
                             T("{id} is not a requirement of this system's profile",
                               id=doc.requirement))


def _months_between(earlier: dt.date, later: dt.date) -> float:
    return (later - earlier).days / 30.4375


def _judge(spec: EvidenceSpec, doc: Document, ev: EvidenceSet, today: dt.date) -> DocResult:
    label = f"{doc.number} {doc.title}".strip()  # the agency's own words: data
    if doc.problem:
        return DocResult(spec, Status.FAIL,
                         T("'{label}': file {file} is {problem}; it was not read and does not "
                           "attest anything.", label=label, file=doc.file, problem=doc.problem),
                         doc)
    if doc.file and doc.sha256 is None:
        return DocResult(spec, Status.FAIL, T("'{label}': file {file} not found.", label=label,
                                              file=doc.file), doc)
    if doc.issued > today:
        return DocResult(spec, Status.FAIL, T("'{label}' is dated in the future ({date}).",
                                              label=label, date=doc.issued), doc)
    if doc.valid_until and doc.valid_until < today:
        return DocResult(spec, Status.FAIL, T("'{label}' expired on {date}.", label=label,
                                              date=doc.valid_until), doc)
    if spec.before_approval and ev.approval_date and doc.issued > ev.approval_date:
        return DocResult(spec, Status.FAIL,
                         T("'{label}' was issued on {issued}, after the level approval of "
                           "{approval}; it must come first.", label=label,
                           issued=doc.issued,
                           approval=ev.approval_date), doc)
    limit = spec.max_age_months
    if doc.review_months and (limit is None or doc.review_months < limit):
        limit = doc.review_months  # the document's own review period, if stricter
    if limit is not None:
        age = _months_between(doc.last_reviewed, today)
        if age > limit:
            return DocResult(spec, Status.FAIL,
                             T("'{label}' was last issued or reviewed on {date}, {age} months "
                               "ago; the level requires at most {limit}.", label=label,
                               date=doc.last_reviewed, age=round(age),
                               limit=limit), doc)
    return DocResult(spec, Status.PASS, T("Attested by '{label}' ({date}).", label=label,
                                          date=doc.issued), doc)


def evaluate(req: Requirement, ev: EvidenceSet | None, today: dt.date) -> list[DocResult]:
    """Judge each document a requirement needs against the evidence held."""

    out = []
    for spec in req.evidence:
        candidates = [] if ev is None else [
            d for d in ev.documents
            if d.requirement == req.id and d.key in ("", spec.key)
        ]
        if not candidates:
            out.append(DocResult(spec, Status.MANUAL, _provide(spec), None))
            continue
        # The freshest document for this item is the one that counts.
        doc = max(candidates, key=lambda d: d.last_reviewed)
        out.append(_judge(spec, doc, ev, today) if ev else DocResult(spec, Status.MANUAL,
                                                                     _provide(spec), None))
    return out


class _Provide(Msg):
    """"Provide: <document>", the document named in the report's language: the profile
    holds both titles, so no catalog entry is needed for each of them."""

    def render(self, lang: str) -> str:
        title = self.args["title_vi"] if lang == "vi" else self.args["title_en"]
        return T("Provide: {title}.", title=str(title)).render(lang)

    def ids(self) -> list[str]:
        return ["Provide: {title}."]


def _provide(spec: EvidenceSpec) -> Msg:
    return _Provide("Provide: {title}.", title_vi=spec.title_vi, title_en=spec.title_en)


def _rules(spec: EvidenceSpec) -> list[Msg]:
    rules = []
    if spec.max_age_months:
        rules.append(T("issued or reviewed within the last {months} months",
                       months=spec.max_age_months))
    if spec.before_approval:
        rules.append(T("issued before the level approval date"))
    return rules


def _template_entry(req: Requirement, index: int, spec: EvidenceSpec, lang: str) -> list[str]:
    """One document to provide: what it is (a comment, in ``lang``) and the blanks to fill.

    ``title`` stays empty for the agency's own title of the document; an entry without an
    ``issued`` date is read as "still to provide" (``load_evidence``)."""

    what = spec.title_vi if lang == "vi" else spec.title_en
    rules = _rules(spec)
    line = T("Document {n}/{total}: {what}", n=index, total=len(req.evidence), what=what)
    if rules:
        line = T("{document}. Conditions: {rules}.", document=line, rules=rules)
    return [
        f"  # {render(line, lang)}",
        f"  - requirement: {req.id}",
        f"    key: {spec.key}",
        "    number: \"\"",
        "    title: \"\"",
        "    issued:",
        "    approver: \"\"",
        "    file: \"\"",
    ]


def template(system: str, requirements: Sequence[Requirement], lang: str = "vi") -> str:
    """A pre-filled evidence file listing every document the level needs, described in
    ``lang`` in comments (the loader ignores them), with the agency's fields left blank."""

    head = [
        T("Documents of system {system}: one entry per document to provide; fill in the "
          "blanks.", system=system),
        T("title: the document's title as issued; number: its number and symbol; issued, "
          "reviewed: dates as YYYY-MM-DD; approver: who signed it."),
        T("file: path of the document, relative to this file (its SHA-256 goes into the "
          "reports). An entry without an issued date counts as not yet provided."),
    ]
    approval = T("date of the level-approval decision, once issued")
    lines = [f"# {render(m, lang)}" for m in head]
    lines += [
        f"system: {system}",
        f"approval_date:            # {render(approval, lang)}",
        "documents:",
    ]
    for req in requirements:
        if not req.evidence:
            continue
        title = req.title_vi if lang == "vi" else req.title_en
        lines += ["", f"  # {req.id}: {title}"]
        for i, spec in enumerate(req.evidence, 1):
            lines += _template_entry(req, i, spec, lang)
    return "\n".join(lines) + "\n"
