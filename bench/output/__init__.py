"""What people read: the answers, worded and drawn.

``recommendation`` and ``comparison`` (``comparison_cases``: ``--by case``) word the
decisions of ``bench.analysis``; ``prediction`` words ``recommend --cpus`` and
``--holdout``; ``snippets`` (with ``snippet_work``) writes a pick as Python
(``recommend --code``); ``summary`` is the end-of-run summary; ``report`` the HTML and
Markdown page (its frame in ``page``); ``charts`` the figures. Every table goes through
``table``, every number through ``bench.texts.units``, every sentence comes from
``bench.texts.messages``.
"""
