"""The quiz server (``flash quiz serve``): a Starlette app over the manager's database.

- ``app``: ``create_app(db_path, settings)``, the middleware, the templates;
- ``signin``: personal links, the landing page, signing out;
- ``sitting``: the learner's pages (start, one question at a time, the result);
- ``manager``: who is sitting, the report, void / drop / extra attempt / revoke;
- ``security``: headers, body limit, error page, signed cookies, CSRF, sign-in rate limit.
"""

from .app import ServeSettings, create_app

__all__ = ["ServeSettings", "create_app"]
