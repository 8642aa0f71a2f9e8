"""Benchmarks of the site and the poll service (``make bench``, ``python -m bench``).

Every figure is a ratio measured side by side in one run (our build against vanilla Pelican,
our service against a bare Flask app under the same gunicorn settings), because the machine
is shared and absolute times drift. One module per job: ``corpus`` writes the generated
articles, ``build`` times Pelican, ``rebuild`` asks tools/ for the edit-to-rebuilt time,
``votes`` loads the service with wrk, ``weight`` weighs the pages, ``report`` prints the table.
"""
