"""The bilingual review pages served by the API's app (Jinja2, no front-end build).

:func:`install_web` adds them to an app; see ``service/README.md`` for the pages.
"""

from service.web.routes import install_web, web_router

__all__ = ["install_web", "web_router"]
