"""The isa_match web service (FastAPI): ``isa-match serve``.

Build the application with :func:`service.app.create_app` from
:class:`service.settings.Settings`. This package imports the core
(:mod:`isa_match`); the core never imports it. Importing the package itself is
cheap (the command line loads :mod:`service.cli` for every ``isa-match`` call),
so nothing is re-exported here.
"""
