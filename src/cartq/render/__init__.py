"""Everything that turns a result into what a person or a script reads; the only writer of stdout."""
