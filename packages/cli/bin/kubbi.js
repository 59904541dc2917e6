#!/usr/bin/env node
// Committed, not built: pnpm links bins at install time, before dist/ exists, and warns about a
// missing target. This file always exists; the command itself is the built dist/bin.js.
import "../dist/bin.js";
