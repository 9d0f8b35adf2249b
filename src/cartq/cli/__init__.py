"""The command line: one command table (spec), two parsers built from it (the start-up fast path
and the Typer app), thin handlers, and the runner that writes results and maps errors to exit codes.
"""
