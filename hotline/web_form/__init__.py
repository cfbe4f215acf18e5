"""The resident web form (``/request``) and status page (``/status``): public pages, no login."""
