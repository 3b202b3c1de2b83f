"""The one XHTML body every format shares, built from the blocks with lxml.

    <h2>             a section heading (h3-h6 for deeper levels)
    <p>              paragraph; marks as <a href>, <strong>, <em>, <code>
    <ul>/<ol><li>    lists, a nested list inside its <li>
    <table>          <thead><tr><th scope="col"> and <tbody><tr><td>
    <section class="faq"><dl><dt>question</dt><dd>answer</dd></dl></section>
    <blockquote><p>text</p><footer>attribution</footer></blockquote>
    <figure><img/><figcaption>caption <small class="credit">credit</small></figcaption></figure>
    <aside class="correction">   the visible correction note of a corrected version

syndicate.ingest.xhtml reads exactly this shape back into the same blocks.
Text is only ever set as text, so lxml escapes it exactly once.
"""

from __future__ import annotations

from lxml import etree

from ..codec import format_timestamp
from ..ingest.frontmatter import guess_image_type
from ..model import (
    MARK_RANK,
    Article,
    Block,
    Faq,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    Mark,
    Paragraph,
    Quote,
    Table,
)

XHTML_NS = "http://www.w3.org/1999/xhtml"
Element = etree._Element
_TAGS = {"link": "a", "strong": "strong", "em": "em", "code": "code"}


def _el(parent: Element | None, tag: str, text: str | None = None, **attrs: str) -> Element:
    name = f"{{{XHTML_NS}}}{tag}"
    node = (
        etree.Element(name, nsmap={None: XHTML_NS})  # type: ignore[dict-item]
        if parent is None
        else etree.SubElement(parent, name)
    )
    for key, value in attrs.items():
        node.set(key.rstrip("_").replace("_", "-"), value)
    if text:
        node.text = text
    return node


def inline_into(parent: Element, inline: Inline) -> None:
    """Append text and marks to `parent`, nesting the marks properly: where
    two marks overlap, the inner one is closed and reopened around the edge."""
    text = inline.text
    if not inline.marks:
        parent.text = (parent.text or "") + text if text else parent.text
        return
    cuts = sorted({0, len(text), *(m.start for m in inline.marks), *(m.end for m in inline.marks)})
    order = {id(m): i for i, m in enumerate(inline.marks)}
    stack: list[tuple[Mark | None, Element]] = [(None, parent)]
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        wanted = sorted(
            (m for m in inline.marks if m.start <= lo and hi <= m.end),
            key=lambda m: (m.start, -m.end, MARK_RANK[m.kind], order[id(m)]),
        )
        keep = 0
        while keep + 1 < len(stack) and keep < len(wanted) and stack[keep + 1][0] is wanted[keep]:
            keep += 1
        del stack[keep + 1 :]
        for mark in wanted[keep:]:
            child = etree.SubElement(stack[-1][1], f"{{{XHTML_NS}}}{_TAGS[mark.kind]}")
            if mark.href is not None:
                child.set("href", mark.href)
            stack.append((mark, child))
        _append_text(stack[-1][1], text[lo:hi])


def _append_text(node: Element, text: str) -> None:
    if not text:
        return
    children = list(node)
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + text
    else:
        node.text = (node.text or "") + text


def _list_into(parent: Element, block: ListBlock) -> None:
    """Nesting is bounded by [limits] max_list_depth, so recursion is too."""
    root = _el(parent, "ol" if block.ordered else "ul")
    for item in block.items:
        li = _el(root, "li")
        inline_into(li, item.content)
        if item.children is not None:
            _list_into(li, item.children)


def _image_into(parent: Element, image: Image) -> None:
    figure = _el(parent, "figure")
    img = _el(figure, "img", src=image.url, alt=image.alt or "")
    if image.width is not None:
        img.set("width", str(image.width))
    if image.height is not None:
        img.set("height", str(image.height))
    if image.media_type != guess_image_type(image.url):
        img.set("data-media-type", image.media_type)
    if image.length is not None:
        img.set("data-length", str(image.length))
    if image.caption or image.credit:
        caption = _el(figure, "figcaption", image.caption)
        if image.credit:
            _el(caption, "small", image.credit, class_="credit")
            if image.caption:
                caption.text = image.caption + " "


def block_into(parent: Element, block: Block) -> None:
    match block:
        case Heading(text=text, level=level):
            _el(parent, f"h{level}", text)
        case Paragraph(content=content):
            inline_into(_el(parent, "p"), content)
        case ListBlock():
            _list_into(parent, block)
        case Table(header=header, rows=rows):
            table = _el(parent, "table")
            head_row = _el(_el(table, "thead"), "tr")
            for cell in header:
                inline_into(_el(head_row, "th", scope="col"), cell)
            body = _el(table, "tbody")
            for row in rows:
                tr = _el(body, "tr")
                for cell in row:
                    inline_into(_el(tr, "td"), cell)
        case Faq(items=items):
            dl = _el(_el(parent, "section", class_="faq"), "dl")
            for item in items:
                inline_into(_el(dl, "dt"), item.question)
                inline_into(_el(dl, "dd"), item.answer)
        case Quote(content=content, attribution=attribution):
            quote = _el(parent, "blockquote")
            inline_into(_el(quote, "p"), content)
            if attribution:
                _el(quote, "footer", attribution)
        case ImageBlock(image=image):
            _image_into(parent, image)


def corrections_into(parent: Element, article: Article) -> None:
    if not article.corrections:
        return
    aside = _el(parent, "aside", class_="correction")
    for correction in article.corrections:
        p = _el(aside, "p")
        _el(p, "strong", "Correction").tail = " ("
        stamp = format_timestamp(correction.time) or ""
        _el(p, "time", stamp[:16].replace("T", " "), datetime=stamp).tail = f"): {correction.note}"


def body_into(parent: Element, article: Article) -> None:
    for block in article.body:
        block_into(parent, block)
    corrections_into(parent, article)


def body_div(article: Article) -> Element:
    """`<div xmlns="http://www.w3.org/1999/xhtml">` holding the body."""
    div = _el(None, "div")
    body_into(div, article)
    return div


def body_document(article: Article) -> Element:
    """`<html>` with a title and the body: the root NewsML-G2 puts in inlineXML."""
    html = _el(None, "html")
    if article.language:
        html.set("lang", article.language)
    _el(_el(html, "head"), "title", article.headline)
    body_into(_el(html, "body"), article)
    return html


def body_xhtml(article: Article) -> str:
    """The body as an XHTML fragment string (ninjs bodies, feed content)."""
    return etree.tostring(body_div(article), encoding="unicode")
