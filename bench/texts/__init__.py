"""The ground floor: what every layer says and how it writes numbers.

``messages`` holds every sentence a user can see, ``units`` every number format. Any
package of bench may import them, and they import no other part of bench, so a message
needed deep in a strategy or a planner never pulls in the code that draws the report.
"""
