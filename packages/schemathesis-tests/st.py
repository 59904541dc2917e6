"""Runs the Schemathesis CLI, first working around a CPython 3.11 bug.

On CPython 3.11 (3.11.7 here), `ast.parse` called deep in the stack can fail with "SystemError: AST
constructor recursion depth mismatch" (python/cpython#106905). Hypothesis parses a module's source to
describe its lambdas when it prints a strategy, and Schemathesis prints its recursive JSON strategy
deep inside generation. Parsing that module here, at a shallow depth, fills Hypothesis' cache of
parsed modules, so the deep call never parses.
"""

import ast
import inspect
import sys

from hypothesis.internal.lambda_sources import AST_LAMBDAS_CACHE, extract_all_lambdas
from schemathesis.cli import schemathesis as cli
from schemathesis.generation.jsonschema import strategy

source_lines, _ = inspect.findsource(strategy)
AST_LAMBDAS_CACHE[tuple(source_lines)] = extract_all_lambdas(ast.parse("".join(source_lines)))
sys.exit(cli())
