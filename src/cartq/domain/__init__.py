"""What cartq knows how to answer: resolving names, building views, filtering. Returns plain data
(the shapes in cartq.results); never prints, and never imports Rich or Typer.
"""
