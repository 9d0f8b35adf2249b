"""`cartq mcp`: the fact base (and the trial registry, when there is one) as a Model Context
Protocol server over stdio, for AI assistants. Needs the `mcp` extra: `pip install 'cartq[mcp]'`.

Nothing here imports the MCP SDK until `serve` runs, so `import cartq.mcp` costs nothing.
"""

from __future__ import annotations

import sys

from cartq.errors import CartqError, ExitCode

MISSING_SDK = "cartq: `cartq mcp` needs the MCP Python SDK, version 2: pip install 'cartq[mcp]'"


def serve(data: str | None = None, registry: str | None = None) -> int:
    """Run the server on stdin/stdout until the client closes it; the exit code.

    `data` as the CLI's --data (None: CARTQ_DATA, else the shipped fact base); `registry` the
    trial registry file (None: CARTQ_REGISTRY, else its default place). A missing SDK or a broken
    fact base fails here, in one line on stderr, before anything is served.
    """
    try:
        import mcp.server.mcpserver  # noqa: F401  (mcp 1 has no mcpserver: its FastMCP was renamed in 2)
    except ImportError as error:
        if (error.name or "").split(".")[0] not in ("mcp", "mcp_types"):
            raise
        print(MISSING_SDK, file=sys.stderr)
        return int(ExitCode.USAGE)
    from cartq.factbase import open_store
    from cartq.mcp.server import build

    try:
        open_store(data).connection.close()
    except CartqError as error:
        print(f"cartq: {error.message}", file=sys.stderr)
        return int(error.exit_code)
    try:
        build(data, registry).run("stdio")
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
    return int(ExitCode.OK)


def main(argv: list[str] | None = None) -> None:
    """`python -c "from cartq.mcp import main; main()" [--data PATH] [--registry PATH]`: the
    server without the CLI, for tests and for assistants configured before `cartq mcp` existed."""
    import argparse

    parser = argparse.ArgumentParser(prog="cartq mcp", description="Serve cartq to AI assistants over MCP (stdio).")
    parser.add_argument("--data", help="fact base to use (default: $CARTQ_DATA, else the shipped one)")
    parser.add_argument("--registry", help="trial registry file (default: $CARTQ_REGISTRY, else its usual place)")
    args = parser.parse_args(argv)
    sys.exit(serve(args.data, args.registry))
