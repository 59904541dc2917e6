"""Runs the Schemathesis CLI, first working around a CPython 3.11 bug.

On CPython 3.11 (3.11.7 here), `ast.parse` called deep in the stack can fail with "SystemError: AST
constructor recursion depth mismatch" (python/cpython#106905). Hypothesis parses a module's source to
describe its lambdas when it prints a strategy, and Schemathesis prints its recursive JSON strategy
deep inside generation, in worker threads. Parsing that module here, at a shallow depth, into a cache
every thread shares (Hypothesis' own is per thread), means the deep call never parses it.
"""

import ast
import inspect
import sys

from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis as cli
from schemathesis.generation.jsonschema import strategy

source_lines, _ = inspect.findsource(strategy)
lambda_sources.AST_LAMBDAS_CACHE = {
    tuple(source_lines): lambda_sources.extract_all_lambdas(ast.parse("".join(source_lines))),
}
sys.exit(cli())
