"""What each template reads, and which templates fast builds may trust.

``make_plan`` reads a page's template and every template it reaches (Jinja2's parser and
``jinja2.meta``, no rendering) and lists the context variables they read: a page is then
fingerprinted by those values only (writer.py).

A list page (home, category, tag, author, archives, sitemap…) is fingerprinted by what lists
show of each text: metadata and summary, never the text itself. The page of an article or a
page is fingerprinted by its own text too. That holds for a theme whose list templates do not
print ``article.content`` and whose article template prints only its own article's text:
``deep_uses`` tells where it does not hold, in every template a page's template reaches.

A template that reaches a "deep" attribute anywhere else (``content``, ``translations``, the
neighbours some plugins add…), or includes a template chosen while rendering, is not
trusted: every page made with it is rendered, at every build.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, meta, nodes

# What a template can reach of a text beyond its metadata and summary.
DEEP_ATTRIBUTES = frozenset({
    "content", "_content", "get_content", "translations", "related_posts",
    "prev_article", "next_article", "prev_article_in_category", "next_article_in_category",
})
# The templates of one text, and the name under which it is given to them.
OWN_ITEM = {"article": "article", "page": "page"}
# Lists of (category, tag or author, its texts).
TERM_LISTS = ("categories", "tags", "authors")


@dataclass(frozen=True)
class Plan:
    """What the pages of one template depend on, or why they cannot be fingerprinted."""

    names: tuple[str, ...] = ()  # context variables the template and its parents read
    term_texts: frozenset[str] = frozenset()  # lists of TERM_LISTS whose texts are read
    untrusted: str = ""  # why every page of this template is rendered, if so


def _deep(value: Any) -> bool:
    return isinstance(value, str) and any(part in DEEP_ATTRIBUTES for part in value.split("."))


def deep_uses(tree: nodes.Template, own_item: str | None) -> list[str]:
    """Return how a parsed template reaches deep attributes of texts other than its own.

    ``own_item`` is "article" or "page" for the template of one text: there,
    ``article.content`` is its own text, unless the template gives that name to another text.
    """
    rebound = own_item is not None and any(
        name.name == own_item for name in tree.find_all(nodes.Name) if name.ctx in ("store", "param"))
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Const)):
        if isinstance(node, nodes.Getattr):
            attribute, owner = node.attr, node.node
        elif isinstance(node, nodes.Getitem):
            if not isinstance(node.arg, nodes.Const):
                continue  # a Const argument is seen below
            attribute, owner = node.arg.value, node.node
        else:
            attribute, owner = node.value, None
        if not _deep(attribute):
            continue
        own = (own_item is not None and not rebound and isinstance(owner, nodes.Name)
               and owner.name == own_item and attribute in ("content", "get_content"))
        if not own:
            found.append(f"line {node.lineno}: {attribute!r}")
    return found


def make_plan(env: Environment, name: str, trees_by_name: dict[str, nodes.Template] | None = None) -> Plan:
    """Read a template and those it reaches; say what its pages depend on.

    ``trees_by_name`` keeps the parsed templates (and what was learnt of each), for the next
    plan of the same build: every template extends base.html and imports macros.html.
    """
    parsed = {} if trees_by_name is None else trees_by_name
    own_item = OWN_ITEM.get(name.rsplit(".", 1)[0])
    facts: list[_Facts] = []
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        tree = parsed.get(current)
        if tree is None:
            source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
            tree = parsed[current] = env.parse(source, current, filename)
        known = _facts(tree, own_item if current == name else None)
        if known.deep:
            return Plan(untrusted=f"{current} reaches the texts of a list ({known.deep[0]})")
        if None in known.referenced:
            return Plan(untrusted=f"{current} includes a template chosen while rendering")
        todo.extend(known.referenced)  # type: ignore[arg-type]
        facts.append(known)
    names = set().union(*(f.undeclared for f in facts))
    names -= set().union(*(f.imported for f in facts))
    names -= set(env.globals)  # gettext, range…: code, fingerprinted with the site
    return Plan(names=tuple(sorted(names)), term_texts=frozenset(
        term for term in TERM_LISTS if term in names and any(term in f.term_texts for f in facts)))


@dataclass(frozen=True)
class _Facts:
    """What one parsed template says about its pages' inputs."""

    deep: tuple[str, ...]  # reaches of deep attributes (templates.deep_uses)
    referenced: tuple[str | None, ...]  # templates it extends, includes, imports
    undeclared: frozenset[str]  # variables it reads from the context
    imported: frozenset[str]  # names it gives to imported templates
    term_texts: frozenset[str]  # lists of TERM_LISTS whose texts it reads


def _facts(tree: nodes.Template, own_item: str | None) -> _Facts:
    """Learn what a parsed template reads, once per tree and own item."""
    cache = tree.__dict__.setdefault("_fast_build_facts", {})
    known = cache.get(own_item)
    if known is None:
        imported = {node.target for node in tree.find_all(nodes.Import)}
        imported |= {alias if isinstance(alias, str) else alias[1]
                     for node in tree.find_all(nodes.FromImport) for alias in node.names}
        undeclared = meta.find_undeclared_variables(tree)
        known = _Facts(
            deep=tuple(deep_uses(tree, own_item)),
            referenced=tuple(meta.find_referenced_templates(tree)),
            undeclared=frozenset(undeclared),
            imported=frozenset(imported),
            term_texts=frozenset(term for term in TERM_LISTS
                                 if term in undeclared and _reads_term_texts(tree, term)),
        )
        cache[own_item] = known
    return known


def _reads_term_texts(tree: nodes.Template, term: str) -> bool:
    """Tell whether a template reads the texts of ``categories``, ``tags`` or ``authors``.

    Only ``{% for name, texts in categories %}`` whose texts are used as ``texts|length``
    (or ``|count``) reads none of them; any other use of the list counts as reading them.
    """
    uses = [node for node in tree.find_all(nodes.Name) if node.name == term and node.ctx == "load"]
    harmless = 0
    for loop in tree.find_all(nodes.For):
        base = loop.iter
        while isinstance(base, nodes.Filter):
            base = base.node
        target = loop.target
        if not (isinstance(base, nodes.Name) and base.name == term and isinstance(target, nodes.Tuple)
                and len(target.items) == 2 and all(isinstance(i, nodes.Name) for i in target.items)):
            continue
        texts = target.items[1].name  # type: ignore[attr-defined]
        body = [*loop.body, *loop.else_, *([loop.test] if loop.test else [])]
        loads = [n for part in body for n in part.find_all(nodes.Name) if n.name == texts and n.ctx == "load"]
        counted = [f for part in body for f in part.find_all(nodes.Filter)
                   if f.name in ("length", "count") and isinstance(f.node, nodes.Name) and f.node.name == texts]
        if len(loads) == len(counted):
            harmless += 1
    return harmless < len(uses)
