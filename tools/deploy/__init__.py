"""``make deploy`` and ``make rollback``: put the production build online, one release at a time.

A target is a local folder or ``user@host:/path`` (SSH and rsync). Each release is uploaded to
``<target>/releases/<timestamp>``, the polls it shows are synced to the vote service, and only
then does ``<target>/current`` (a symbolic link, renamed over atomically) point at it: a visitor
sees the old site or the new one, never half of one. Modules, one job each:

- ``settings``: where the target and its options come from (environment, then ``deploy.env``);
- ``production_build``: is this folder a complete production build (``make publish``)?
- ``hosts``: the machine that holds the target: run a shell script there, copy a folder there;
- ``releases``: the release folders and the ``current`` link, the same shell code for both hosts;
- ``polls``: ``init-db`` and ``sync-polls`` through the service's own command;
- ``__main__``: the two commands and their French summaries.
"""
