"""The queries, by job: plain functions that take a connection and return plain data.

- ``state``: what a poll is now (definition, counts, open or closed), for reads and admin;
- ``votes``: record a vote, or tell why not, and whether a visitor has voted;
- ``sync``: create and update polls from output/polls.json (``flask sync-polls``);
- ``retention``: forget voter identifiers once their poll has been closed long enough.

Callers own the transaction (``db.transaction``). Counts live in ``options.votes`` and
``polls.total_voters``, never recomputed from ballots: the database never links a voter to an
answer, and results survive the purge of voter identifiers unchanged. Rows are read by
column name.
"""
