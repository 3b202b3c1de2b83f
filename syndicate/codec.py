"""The canonical article JSON: Article <-> plain dicts (schemas/article.schema.json).

Top-level fields are always present (null when unknown); inside the body,
absent optional values are left out and empty mark lists are omitted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from .model import (
    Article,
    Block,
    Byline,
    Correction,
    Faq,
    FaqItem,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    ListItem,
    Mark,
    Paragraph,
    PubStatus,
    Quote,
    Subject,
    Table,
    Timestamp,
)

SCHEMA_URL = "https://syndicate.invalid/schemas/article.schema.json"


def format_timestamp(value: Timestamp | None) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def parse_timestamp(text: str) -> Timestamp:
    """ISO 8601: `YYYY-MM-DD` stays a date; a datetime must carry an offset."""
    if len(text) == 10:
        return date.fromisoformat(text)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value


def inline_to_dict(inline: Inline) -> dict[str, Any]:
    out: dict[str, Any] = {"text": inline.text}
    if inline.marks:
        out["marks"] = [_mark_to_dict(m) for m in inline.marks]
    return out


def _mark_to_dict(mark: Mark) -> dict[str, Any]:
    out: dict[str, Any] = {"type": mark.kind, "start": mark.start, "end": mark.end}
    if mark.href is not None:
        out["href"] = mark.href
    return out


def inline_from_dict(data: dict[str, Any]) -> Inline:
    marks = tuple(
        Mark(kind=m["type"], start=m["start"], end=m["end"], href=m.get("href"))
        for m in data.get("marks", ())
    )
    return Inline(data["text"], marks)


def image_to_dict(image: Image) -> dict[str, Any]:
    out: dict[str, Any] = {"url": image.url, "media_type": image.media_type}
    for key in ("length", "caption", "credit", "width", "height", "alt"):
        value = getattr(image, key)
        if value is not None:
            out[key] = value
    return out


def image_from_dict(data: dict[str, Any]) -> Image:
    return Image(
        url=data["url"],
        media_type=data.get("media_type", "image/jpeg"),
        length=data.get("length"),
        caption=data.get("caption"),
        credit=data.get("credit"),
        width=data.get("width"),
        height=data.get("height"),
        alt=data.get("alt"),
    )


def list_to_dict(block: ListBlock) -> dict[str, Any]:
    items = []
    for item in block.items:
        entry = inline_to_dict(item.content)
        if item.children is not None:
            entry["children"] = list_to_dict(item.children)
        items.append(entry)
    return {"type": "list", "ordered": block.ordered, "items": items}


def list_from_dict(data: dict[str, Any]) -> ListBlock:
    items = []
    for entry in data["items"]:
        children = entry.get("children")
        items.append(
            ListItem(inline_from_dict(entry), list_from_dict(children) if children else None)
        )
    return ListBlock(tuple(items), bool(data.get("ordered", False)))


def block_to_dict(block: Block) -> dict[str, Any]:
    match block:
        case Heading(text=text, level=level):
            return {"type": "heading", "level": level, "text": text}
        case Paragraph(content=content):
            return {"type": "paragraph", **inline_to_dict(content)}
        case ListBlock():
            return list_to_dict(block)
        case Table(header=header, rows=rows):
            return {
                "type": "table",
                "header": [inline_to_dict(c) for c in header],
                "rows": [[inline_to_dict(c) for c in row] for row in rows],
            }
        case Faq(items=items):
            return {
                "type": "faq",
                "items": [
                    {"question": inline_to_dict(i.question), "answer": inline_to_dict(i.answer)}
                    for i in items
                ],
            }
        case Quote(content=content, attribution=attribution):
            out = {"type": "quote", **inline_to_dict(content)}
            if attribution is not None:
                out["attribution"] = attribution
            return out
        case ImageBlock(image=image):
            return {"type": "image", **image_to_dict(image)}
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover


def block_from_dict(data: dict[str, Any]) -> Block:
    kind = data["type"]
    if kind == "heading":
        return Heading(data["text"], data.get("level", 2))
    if kind == "paragraph":
        return Paragraph(inline_from_dict(data))
    if kind == "list":
        return list_from_dict(data)
    if kind == "table":
        return Table(
            tuple(inline_from_dict(c) for c in data["header"]),
            tuple(tuple(inline_from_dict(c) for c in row) for row in data["rows"]),
        )
    if kind == "faq":
        return Faq(
            tuple(
                FaqItem(inline_from_dict(i["question"]), inline_from_dict(i["answer"]))
                for i in data["items"]
            )
        )
    if kind == "quote":
        return Quote(inline_from_dict(data), data.get("attribution"))
    if kind == "image":
        return ImageBlock(image_from_dict(data))
    raise ValueError(f"unknown block type {kind!r}")


def byline_to_dict(byline: Byline) -> dict[str, Any]:
    out: dict[str, Any] = {"name": byline.name, "kind": byline.kind}
    if byline.role is not None:
        out["role"] = byline.role
    if byline.url is not None:
        out["url"] = byline.url
    return out


def to_dict(article: Article, *, with_hash: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": article.id,
        "slug": article.slug,
        "version": article.version,
        "headline": article.headline,
        "subheadline": article.subheadline,
        "language": article.language,
        "dateline": article.dateline,
        "bylines": [byline_to_dict(b) for b in article.bylines],
        "published": format_timestamp(article.published),
        "updated": format_timestamp(article.updated),
        "section": article.section,
        "keywords": list(article.keywords),
        "subjects": [{"qcode": s.qcode, "name": s.name} for s in article.subjects],
        "summary": article.summary,
        "images": [image_to_dict(i) for i in article.images],
        "pubstatus": article.pubstatus.value,
        "embargo": format_timestamp(article.embargo),
        "corrections": [
            {"note": c.note, "time": format_timestamp(c.time)} for c in article.corrections
        ],
        "body": [block_to_dict(b) for b in article.body],
    }
    if with_hash:
        out["content_hash"] = article.content_hash
    return out


def from_dict(data: dict[str, Any]) -> Article:
    """Build an Article from canonical JSON already checked against its schema."""
    embargo = data.get("embargo")
    updated = data.get("updated")
    parsed_embargo = parse_timestamp(embargo) if embargo else None
    if parsed_embargo is not None and not isinstance(parsed_embargo, datetime):
        raise ValueError("embargo must be a date and time with an offset")
    return Article(
        id=data["id"],
        slug=data["slug"],
        version=data.get("version", 1),
        headline=data["headline"],
        subheadline=data.get("subheadline"),
        language=data["language"],
        dateline=data.get("dateline"),
        bylines=tuple(
            Byline(b["name"], b.get("role"), b.get("kind", "person"), b.get("url"))
            for b in data.get("bylines", ())
        ),
        published=parse_timestamp(data["published"]),
        updated=parse_timestamp(updated) if updated else None,
        section=data["section"],
        keywords=tuple(data.get("keywords", ())),
        subjects=tuple(Subject(s["qcode"], s["name"]) for s in data.get("subjects", ())),
        summary=data.get("summary"),
        images=tuple(image_from_dict(i) for i in data.get("images", ())),
        pubstatus=PubStatus(data.get("pubstatus", "usable")),
        embargo=parsed_embargo,
        corrections=tuple(
            Correction(c["note"], _aware(parse_timestamp(c["time"])))
            for c in data.get("corrections", ())
        ),
        body=tuple(block_from_dict(b) for b in data["body"]),
    )


def _aware(value: Timestamp) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError("a correction time needs a time of day and an offset")
    return value


def dumps(article: Article, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(article), ensure_ascii=False, indent=indent)


def content_hash(article: Article) -> str:
    """sha256 over the content: every field but id, slug and version."""
    data = to_dict(article, with_hash=False)
    for key in ("id", "slug", "version"):
        del data[key]
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
