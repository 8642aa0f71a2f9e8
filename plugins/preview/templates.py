"""Which templates the fast writer may trust: those that show no whole text but their own.

The fast writer fingerprints a list page (home, category, tag, author, archives, sitemap…) by
what lists show of each text: metadata and summary, never the text itself. The page of an
article or a page is fingerprinted by its own text too. That holds for a theme whose list
templates do not print ``article.content`` and whose article template prints only its own
article's text: this module reads the templates (Jinja2's parser, no rendering) and tells,
for each template the build uses, whether it holds.

A template that reaches a "deep" attribute anywhere else (``content``, ``translations``, the
neighbours some plugins add…), or includes a template chosen while rendering, is not
trusted: the fast writer renders every page made with it, at every build.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jinja2 import Environment, TemplateNotFound, meta, nodes

# What a template can reach of a text beyond its metadata and summary.
DEEP_ATTRIBUTES = frozenset({
    "content", "_content", "get_content", "translations", "related_posts",
    "prev_article", "next_article", "prev_article_in_category", "next_article_in_category",
})
# The templates of one text, and the name under which it is given to them.
OWN_ITEM = {"article": "article", "page": "page"}
# Templates Pelican renders by name, besides DIRECT_TEMPLATES and each text's own template.
PELICAN_TEMPLATES = ("index", "tag", "category", "author", "article", "page", "period_archives")


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


def trusted_templates(env: Environment, roots: Iterable[str], extensions: Iterable[str]) -> dict[str, bool]:
    """Tell, for each root template name as Pelican asks for it ("index", "article"…), whether
    it and every template it extends, includes or imports can be trusted.

    The keys are the file names (``Template.name``), e.g. "index.html".
    """
    verdicts: dict[str, bool] = {}
    for root in sorted(set(roots)):
        for extension in extensions:
            name = root if root.endswith(tuple(extensions)) else root + extension
            try:
                verdicts[name] = _closure_is_safe(env, name, OWN_ITEM.get(root.rsplit(".", 1)[0]))
            except TemplateNotFound:
                continue
            break
    return verdicts


def _closure_is_safe(env: Environment, root: str, own_item: str | None) -> bool:
    """Scan ``root`` and every template it reaches; raise TemplateNotFound for a missing root."""
    seen: set[str] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        except TemplateNotFound:
            if name == root:
                raise
            continue  # rendering will fail the same way, with Pelican's message
        tree = env.parse(source, name, filename)
        if deep_uses(tree, own_item if name == root else None):
            return False
        for referenced in meta.find_referenced_templates(tree):
            if referenced is None:  # chosen while rendering: cannot be known here
                return False
            todo.append(referenced)
    return True
