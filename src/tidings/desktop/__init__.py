"""The desktop client (issue 17, decision 0077): a Qt app over the Python SDK.

``viewmodels/`` hold what the windows show and what the user can do there, in plain Python
over ``tidings.sdk`` (no Qt: the tests drive them without a display); ``views/`` are Qt
widgets that render a view model and call its actions; ``app.py`` opens and closes the
windows; ``cli.py`` is ``tidings-desktop``.
"""
