"""A run: the session (``session``) measures its cases one after another (``sequence``),
each in a fresh interpreter in its own process group (``isolation`` in the parent,
``guard`` and ``child`` in the case), after checking they fit (``resources``); it can be
interrupted (``interrupt``), leaves nothing behind (``cleanup``) and can be resumed
(``resume``)."""
