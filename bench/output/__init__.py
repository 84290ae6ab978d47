"""What people read: the answers, worded and drawn.

``recommendation`` and ``comparison`` word the decisions of ``bench.analysis``;
``summary`` is the end-of-run summary; ``report`` the HTML and Markdown page (its frame
in ``page``); ``charts`` the figures. Every table goes through ``table``, every number
through ``units``, every sentence comes from ``messages``.
"""
