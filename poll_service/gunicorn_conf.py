"""gunicorn's settings for the poll service: trust no forwarded header, log no address.

Used as ``gunicorn -c python:poll_service.gunicorn_conf ...`` (docs/deploy.md, bench/votes.py);
the command line adds the bind address and the workers.

- gunicorn itself believes nothing a client or proxy says about the connection: by default it
  takes X-Forwarded-Proto, -Protocol and -Ssl (the scheme) and SCRIPT_NAME / PATH_INFO headers
  from 127.0.0.1, which is where nginx, and any local process, connects from; and from every
  peer of a unix socket. The one place forwarded headers are read is the service's ProxyFix,
  and only X-Forwarded-For and -Proto of POLL_TRUSTED_PROXIES proxies (0: none).
- No access log (nginx keeps one, without addresses); if one is turned on with
  ``--access-logfile -``, its format has no address and the logger blanks the address atoms.
- The error log holds no IP address: gunicorn_logging.AddressFreeLogger.
"""

forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
proxy_protocol = "off"
accesslog = None
access_log_format = '- %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
logger_class = "poll_service.gunicorn_logging.AddressFreeLogger"
