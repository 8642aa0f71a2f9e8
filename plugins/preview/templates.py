"""Which templates the fast writer may trust: those that show no whole text but their own.

The fast writer fingerprints a list page (home, category, tag, author, archives, sitemap…) by
what lists show of each text: metadata and summary, never the text itself. The page of an
article or a page is fingerprinted by its own text too. That holds for a theme whose list
templates do not print ``article.content`` and whose article template prints only its own
article's text: ``deep_uses`` reads a parsed template (Jinja2's parser, no rendering) and
tells where it does not hold; fast_writer.make_plan applies it to every template a page's
template reaches.

A template that reaches a "deep" attribute anywhere else (``content``, ``translations``, the
neighbours some plugins add…), or includes a template chosen while rendering, is not
trusted: the fast writer renders every page made with it, at every build.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes

# What a template can reach of a text beyond its metadata and summary.
DEEP_ATTRIBUTES = frozenset({
    "content", "_content", "get_content", "translations", "related_posts",
    "prev_article", "next_article", "prev_article_in_category", "next_article_in_category",
})
# The templates of one text, and the name under which it is given to them.
OWN_ITEM = {"article": "article", "page": "page"}


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
