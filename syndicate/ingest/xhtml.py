"""(X)HTML in, body blocks out: the exact inverse of the body XHTML the project renders.

    <h2>..<h6>                      Heading (an <h1> reads as level 2)
    <p>                             Paragraph; em/i, strong/b, code and a[href] become marks
    <ul>/<ol> with <li>             ListBlock; a nested list sits inside its <li>
    <table> <thead><tr><th>         Table: the thead row is the header, else the first row
    <section class="faq"><dl>       Faq from <dt> question / <dd> answer pairs
    <blockquote><p>..</p><footer>   Quote; the footer is the attribution
    <figure><img/><figcaption>      ImageBlock from src, alt, width, height (and data-media-type,
                                    data-length when given); <small class="credit"> is the credit
    <aside class="correction">      skipped (corrections live in the metadata)

Marks come back ordered by start, the longer first; touching or overlapping
marks of one kind (and link target) merge into one.

div, section, article and unknown elements are transparent containers; text
directly inside one is a paragraph. Whitespace is collapsed as HTML does
(ASCII whitespace only: a no-break space is content). Everything is walked
with explicit stacks, so nesting depth costs memory, never recursion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html.entities import name2codepoint
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..model import (
    Block,
    Faq,
    FaqItem,
    Heading,
    Image,
    ImageBlock,
    Inline,
    Mark,
    MarkKind,
    Paragraph,
    Quote,
    Table,
)
from .conventions import ListAssembler
from .frontmatter import guess_image_type
from .lints import Lint
from .normalize import clean, is_blank

Element = etree._Element
Item = str | Element | None


class MarkupError(ValueError):
    """The markup cannot be read at all (for one, nested deeper than the parser allows)."""


_WS = re.compile(r"[ \t\n\r\f]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCUMENT = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype|html|head|body)\b", re.I | re.S)
_MEDIA_TYPE = re.compile(r"^image/[A-Za-z0-9.+-]+$")
_DIGITS = re.compile(r"^\s*([0-9]{1,9})\s*(?:px)?\s*$")
_LINK_SCHEMES = ("http", "https", "mailto")

SKIP = frozenset(
    "script style noscript template head title meta link base iframe frame frameset object"
    " embed applet svg math canvas form button input select textarea option nav audio video"
    " source track map area dialog hr".split()
)
INLINE = frozenset(
    "a abbr acronym b bdi bdo big br cite code data del dfn em font i ins kbd label mark q"
    " s samp small span strike strong sub sup time tt u var wbr".split()
)
MARK_TAGS: dict[str, MarkKind] = {
    "em": "em",
    "i": "em",
    "strong": "strong",
    "b": "strong",
    "code": "code",
}
HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
CREDIT_CLASSES = frozenset({"credit", "byline"})


def name_of(el: object) -> str:
    """Lowercase local name of an element; "" for comments, PIs and entities."""
    tag = getattr(el, "tag", None)
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def classes_of(el: Element) -> set[str]:
    return set((el.get("class") or "").split())


def plain(text: str | None) -> str:
    """Cleaned text with whitespace collapsed and trimmed."""
    return _WS.sub(" ", clean(text or "")).strip(" ")


class _Text:
    """Accumulates text with HTML whitespace collapsing; a space between two
    pieces is held back until more text follows, so nothing trails."""

    __slots__ = ("parts", "length", "pending")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending = False

    def add(self, raw: str | None) -> None:
        if not raw:
            return
        text = _WS.sub(" ", clean(raw))
        if text.startswith(" "):
            self.pending = self.length > 0
            text = text[1:]
        if not text:
            return
        trailing = text.endswith(" ")
        if trailing:
            text = text[:-1]
        if self.pending:
            self.parts.append(" ")
            self.length += 1
        self.parts.append(text)
        self.length += len(text)
        self.pending = trailing

    def opening(self) -> int:
        """Where the next visible character will land (a held-back space goes before it)."""
        return self.length + 1 if self.pending else self.length


@dataclass(slots=True)
class _OpenMark:
    kind: MarkKind
    href: str | None
    start: int
    order: int
    end: int = -1
    space_inside: bool = False


@dataclass(slots=True)
class Collected:
    inline: Inline
    lists: list[Element]
    images: list[Element]


def _finish_marks(raw: list[_OpenMark], length: int) -> tuple[Mark, ...]:
    groups: dict[tuple[MarkKind, str | None], list[tuple[int, int, int]]] = {}
    for m in raw:
        end = m.end + 1 if m.space_inside and length > m.end else m.end
        end = min(end, length)
        if 0 <= m.start < end:
            groups.setdefault((m.kind, m.href), []).append((m.start, end, m.order))
    merged: list[tuple[int, int, int, MarkKind, str | None]] = []
    for (kind, href), spans in groups.items():
        spans.sort()
        start, end, order = spans[0]
        for s, e, o in spans[1:]:
            if s <= end:
                end, order = max(end, e), min(order, o)
            else:
                merged.append((start, end, order, kind, href))
                start, end, order = s, e, o
        merged.append((start, end, order, kind, href))
    merged.sort(key=lambda t: (t[0], -t[1], t[2]))
    return tuple(Mark(kind, start, end, href) for start, end, _, kind, href in merged)


class BodyReader:
    """Turns elements into blocks, collecting lints; one instance per document."""

    def __init__(self, *, max_list_depth: int, base_url: str | None = None) -> None:
        self.max_list_depth = max_list_depth
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.lints: list[Lint] = []

    # -- inline content ---------------------------------------------------------

    def collect(
        self,
        items: Sequence[Item],
        *,
        lists: bool = False,
        marks: bool = True,
        exclude: Callable[[Element], bool] | None = None,
    ) -> Collected:
        """Text and marks of `items` (strings, and elements taken without their tail).
        With `lists`, nested ul/ol are set aside, not read; images are set aside always."""
        acc = _Text()
        raw: list[_OpenMark] = []
        found_lists: list[Element] = []
        images: list[Element] = []
        stack: list[tuple[Element, Iterator[Element], _OpenMark | None, bool, bool]] = []

        def visit(el: Element, top: bool) -> None:
            tag = el.tag
            if tag is etree.Entity:
                acc.add(_entity(el))
            name = name_of(el)
            if name in SKIP or not name or (exclude is not None and exclude(el)):
                pass
            elif name in ("ul", "ol") and lists:
                found_lists.append(el)
                acc.add(" ")
            elif name == "br":
                acc.add(" ")
            elif name == "img":
                images.append(el)
            else:
                block = name not in INLINE
                if block:
                    acc.add(" ")
                mark = None
                kind = MARK_TAGS.get(name)
                href = self.href(el) if marks and name == "a" and el.get("href") else None
                if href is not None:
                    kind = "link"
                if kind is not None and marks:
                    mark = _OpenMark(kind, href, acc.opening(), len(raw))
                    raw.append(mark)
                acc.add(el.text)
                stack.append((el, iter(el), mark, block, top))
                return
            if not top:
                acc.add(el.tail)

        for item in items:
            if item is None or isinstance(item, str):
                acc.add(item)
                continue
            visit(item, True)
            while stack:
                el, children, mark, block, top = stack[-1]
                child = next(children, None)
                if child is not None:
                    visit(child, False)
                    continue
                stack.pop()
                if mark is not None:
                    mark.end, mark.space_inside = acc.length, acc.pending
                if block:
                    acc.add(" ")
                if not top:
                    acc.add(el.tail)
        text = "".join(acc.parts)
        return Collected(Inline(text, _finish_marks(raw, len(text))), found_lists, images)

    def href(self, el: Element) -> str | None:
        url = self.absolute(el.get("href") or "")
        if url is None or urlsplit(url).scheme.lower() not in _LINK_SCHEMES:
            self.lint("link-dropped", f"link {el.get('href')!r} is not absolute http(s)", el)
            return None
        return url

    def absolute(self, raw: str) -> str | None:
        text = re.sub(r"\s", lambda m: quote(m.group()), plain(raw))
        if not text:
            return None
        try:
            if urlsplit(text).scheme:
                return text
            return urljoin(self.base_url, text) if self.base_url else None
        except ValueError:
            return None

    def lint(self, code: str, message: str, el: Element) -> None:
        line = el.sourceline
        self.lints.append(Lint(code, message, line if isinstance(line, int) else 0))

    # -- blocks ---------------------------------------------------------------------

    def read(self, root: Element) -> None:
        work: list[tuple[Element | list[Item], bool]] = [(root, False)]
        while work:
            item, faq = work.pop()
            if isinstance(item, list):
                self.paragraph(item)
            else:
                self.element(item, faq, work)

    def element(
        self, el: Element, faq: bool, work: list[tuple[Element | list[Item], bool]]
    ) -> None:
        name = name_of(el)
        if not name or name in SKIP or (name == "aside" and "correction" in classes_of(el)):
            return
        if name in HEADINGS:
            text = self.collect([el], marks=False).inline.text
            if not is_blank(text):
                self.blocks.append(Heading(text, HEADINGS[name]))
        elif name in ("p", "pre", "address"):
            self.paragraph([el])
        elif name in ("ul", "ol"):
            self.list_block(el)
        elif name == "table":
            self.table_block(el)
        elif name == "dl":
            self.definitions(el, faq)
        elif name == "blockquote":
            self.quote(el)
        elif name == "img":
            self.image(el, None, None)
        elif name == "figure" and (img := _first(el, "img")) is not None:
            self.figure(el, img)
        else:
            faq = faq or (name == "section" and "faq" in classes_of(el))
            items: list[tuple[Element | list[Item], bool]] = []
            run: list[Item] = [el.text]
            for child in el:
                if child.tag is etree.Entity or not name_of(child) or name_of(child) in INLINE:
                    run.extend((child, child.tail))
                else:
                    items.extend(((run, faq), (child, faq)))
                    run = [child.tail]
            items.append((run, faq))
            work.extend(reversed(items))

    def paragraph(self, items: list[Item]) -> None:
        if all(isinstance(i, str | None) and is_blank(i or "") for i in items):
            return
        got = self.collect(items)
        if not is_blank(got.inline.text):
            self.blocks.append(Paragraph(got.inline))
        self.loose_images(got)

    def loose_images(self, got: Collected) -> None:
        for img in got.images:
            self.image(img, None, None)

    def list_block(self, top: Element) -> None:
        assembler = ListAssembler(self.max_list_depth)
        stack: list[tuple[Iterator[Element], int, bool]] = [(iter(top), 1, name_of(top) == "ol")]
        while stack:
            children, depth, ordered = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                continue
            name = name_of(child)
            if name == "li":
                got = self.collect([child], lists=True)
                assembler.add(depth, ordered, got.inline)
                for nested in reversed(got.lists):
                    stack.append((iter(nested), depth + 1, name_of(nested) == "ol"))
            elif name in ("ul", "ol"):
                stack.append((iter(child), depth + 1, name == "ol"))
            elif name and name not in SKIP:
                stack.append((iter(child), depth, ordered))
        block = assembler.build()
        if assembler.flattened_from:
            self.lint(
                "list-flattened",
                f"list nesting of {assembler.flattened_from} levels flattened to "
                f"{assembler.max_depth}",
                top,
            )
        if block is not None:
            self.blocks.append(block)

    def table_block(self, table: Element) -> None:
        rows: list[tuple[list[Inline], bool]] = []
        for child in table:
            name = name_of(child)
            if name == "caption":
                self.paragraph([child])
            elif name in ("thead", "tbody", "tfoot"):
                rows.extend(self.row(tr, name == "thead") for tr in child if name_of(tr) == "tr")
            elif name == "tr":
                rows.append(self.row(child, False))
        if not rows:
            return
        header = next((r for r in rows if r[1]), rows[0])
        body = [r[0] for r in rows if r is not header]
        width = max(len(header[0]), *(len(cells) for cells in body)) if body else len(header[0])
        if width == 0:
            return
        if any(len(cells) != len(header[0]) for cells in body):
            self.lint("table-shape", f"table rows differ from its {len(header[0])} columns", table)
        self.blocks.append(
            Table(_pad(header[0], width), tuple(_pad(cells, width) for cells in body))
        )

    def row(self, tr: Element, head: bool) -> tuple[list[Inline], bool]:
        return [self.collect([c]).inline for c in tr if name_of(c) in ("td", "th")], head

    def definitions(self, dl: Element, faq: bool) -> None:
        pairs: list[tuple[list[Item], list[Item]]] = []
        stack: list[Iterator[Element]] = [iter(dl)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            name = name_of(child)
            if name == "dt":
                if not pairs or pairs[-1][1]:
                    pairs.append(([], []))
                pairs[-1][0].extend((child, " "))
            elif name == "dd":
                if not pairs:
                    pairs.append(([], []))
                pairs[-1][1].extend((child, " "))
            elif name == "div":
                stack.append(iter(child))
        items = [(self.collect(q).inline, self.collect(a).inline) for q, a in pairs]
        items = [(q, a) for q, a in items if not is_blank(q.text) or not is_blank(a.text)]
        if not items:
            return
        if faq or all(q.text.endswith("?") for q, _ in items):
            self.blocks.append(Faq(tuple(FaqItem(q, a) for q, a in items)))
            return
        for q, a in items:
            if not is_blank(q.text):
                self.blocks.append(Paragraph(Inline(q.text, (Mark("strong", 0, len(q.text)),))))
            if not is_blank(a.text):
                self.blocks.append(Paragraph(a))

    def quote(self, bq: Element) -> None:
        footer = next((c for c in bq if name_of(c) == "footer"), None)
        items: list[Item] = [bq.text]
        for child in bq:
            items.extend((child.tail,) if child is footer else (child, child.tail))
        got = self.collect(items)
        who = self.collect([footer], marks=False).inline.text if footer is not None else ""
        if not is_blank(got.inline.text):
            self.blocks.append(Quote(got.inline, who or None))
        self.loose_images(got)

    def figure(self, fig: Element, img: Element) -> None:
        credits = [e for e in fig.iter() if name_of(e) and classes_of(e) & CREDIT_CLASSES]
        credit_set = set(credits)
        credit_items: list[Item] = [x for e in credits for x in (e, " ")]
        credit = self.collect(credit_items, marks=False).inline.text
        caption_el = _first(fig, "figcaption")
        caption = ""
        if caption_el is not None:
            caption = self.collect(
                [caption_el], marks=False, exclude=lambda e: e in credit_set
            ).inline.text
        self.image(img, caption or None, credit or None)

    def image(self, img: Element, caption: str | None, credit: str | None) -> None:
        url = self.absolute(img.get("src") or "")
        if url is None or urlsplit(url).scheme.lower() not in ("http", "https"):
            self.lint("image-skipped", f"image {img.get('src')!r} is not absolute http(s)", img)
            return
        media_type = plain(img.get("data-media-type"))
        image = Image(
            url=url,
            media_type=media_type if _MEDIA_TYPE.match(media_type) else guess_image_type(url),
            length=_number(img.get("data-length"), minimum=0),
            caption=caption,
            credit=credit,
            width=_number(img.get("width")),
            height=_number(img.get("height")),
            alt=plain(img.get("alt")) or None,
        )
        self.blocks.append(ImageBlock(image))


def _entity(el: Element) -> str:
    """A named character reference left unexpanded by the XML parser: only the
    standard HTML names count; anything a DTD declared stays unexpanded."""
    code = name2codepoint.get(getattr(el, "name", "") or "")
    return chr(code) if code is not None else ""


def _first(root: Element, name: str) -> Element | None:
    return next((e for e in root.iter() if name_of(e) == name), None)


def _pad(cells: list[Inline], width: int) -> tuple[Inline, ...]:
    return tuple(cells) + (Inline(""),) * (width - len(cells))


def _number(value: str | None, *, minimum: int = 1) -> int | None:
    match = _DIGITS.match(value or "")
    if not match or int(match.group(1)) < minimum:
        return None
    return int(match.group(1))


def blocks_from_element(
    root: Element, *, max_list_depth: int, base_url: str | None = None
) -> tuple[list[Block], list[Lint]]:
    """Blocks of everything inside `root` (its tail is not read). Relative links and
    image sources are resolved against `base_url`, else dropped with a lint."""
    reader = BodyReader(max_list_depth=max_list_depth, base_url=base_url)
    reader.read(root)
    return reader.blocks, reader.lints


def parse_markup(text: str) -> Element:
    """Parse an XHTML document or fragment safely (no network, no DTD, no entity
    expansion), falling back to the HTML parser for markup that is not well-formed.
    MarkupError when a parser limit (such as nesting past 255 levels) is hit."""
    text = _XML_DECL.sub("", clean(text), count=1)
    if is_blank(text):
        return etree.Element("div")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    for candidate in (text, f"<div>{text}</div>"):
        try:
            return etree.fromstring(candidate, parser)
        except (etree.XMLSyntaxError, ValueError):
            _check_limits(parser.error_log)
    html_parser = lxml_html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
    )
    try:
        if _DOCUMENT.match(text):
            root = lxml_html.document_fromstring(text, parser=html_parser)
        else:
            root = lxml_html.fragment_fromstring(text, create_parent="div", parser=html_parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise MarkupError(f"cannot parse the markup: {exc}") from None
    _check_limits(html_parser.error_log)
    return root


def _check_limits(log: etree._ListErrorLog) -> None:
    for entry in log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            raise MarkupError(f"markup refused: {entry.message} (line {entry.line})")


def text_of_markup(text: str) -> str:
    """The plain text of a piece of markup (a headline or caption given as HTML)."""
    root = parse_markup(text)
    return BodyReader(max_list_depth=1).collect([root], marks=False).inline.text


def blocks_from_xhtml(
    text: str, *, max_list_depth: int, base_url: str | None = None
) -> tuple[list[Block], list[Lint]]:
    """Blocks of an (X)HTML document or fragment; see the module docstring for the shape."""
    return blocks_from_element(parse_markup(text), max_list_depth=max_list_depth, base_url=base_url)
