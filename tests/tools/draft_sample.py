"""The draft the draft tests add to the sample site: a page, a feed entry and a poll to leak."""

DRAFT = """Title: Notre brouillon secret
Date: 2026-11-25 10:00
Category: Vie associative
Tags: essai
Summary: Un texte pas encore prêt.
Status: draft

Ce texte n'est pas prêt.

```poll
id: sondage-du-brouillon
question: Ce brouillon vous plaît-il ?
options:
  - oui: Oui
  - non: Non
```
"""
