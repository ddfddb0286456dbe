"""Index documents for backend-level tests (no database needed)."""

from search import docnumber, indexing

from .corpus import DOCS, ISSUERS


def index_doc(
    id,
    title,
    body="",
    *,
    keys=("unit:1",),
    doc_type="通知",
    doc_number="",
    issuer="阳府",
    date="2023-01-01",
    status="drafting",
    box="draft",
    retention="",
    attachments="",
    attachment_text="",
) -> dict:
    unit_id, unit_name = ISSUERS[issuer]
    doc = {
        "key": f"doc:{id}",
        "entry": "doc",
        "id": id,
        "title": title,
        "body": body,
        "attachments": attachments,
        "attachment_text": attachment_text,
        "doc_number": doc_number,
        "doc_number_key": docnumber.canonical(doc_number),
        "doc_type": doc_type,
        "status": status,
        "box": box,
        "retention": retention,
        "archive_code": "",
        "owner_unit_id": unit_id,
        "issuer_ids": [unit_id],
        "issuer_names": [unit_name],
        "year": int(date[:4]),
        "date": date,
        "keys": list(keys),
    }
    doc["fingerprint"] = indexing.fingerprint(doc)
    return doc


def corpus_docs(keys=("unit:1",)) -> tuple[list[dict], dict[str, int]]:
    """(index documents, key → id) of the relevance corpus."""
    docs, ids = [], {}
    for n, (key, (issuer, doc_type, number, date, title, body)) in enumerate(DOCS.items(), start=1):
        ids[key] = n
        docs.append(
            index_doc(
                n,
                title,
                body,
                keys=keys,
                doc_type=doc_type,
                doc_number=number,
                issuer=issuer,
                date=date,
                status="drafting",
                box="sent",
            )
        )
    return docs, ids
