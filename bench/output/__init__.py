"""What people read: the decisions of ``bench.analysis``, worded and drawn. Every table
goes through ``table``, every number through ``bench.texts.units``, every sentence comes
from ``bench.texts.messages``.
"""
