"""Use cases. ``check_*`` validates and authorizes, ``do_*`` writes and publishes events,
``access_*`` fetches a record together with its permission check (STYLE.md, Zulip)."""
