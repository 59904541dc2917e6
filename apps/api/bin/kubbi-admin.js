#!/usr/bin/env node
// The admin command's bin: a committed shim, so package managers can link it before anything is
// built. The command itself is dist/admin/kubbi-admin.js.
try {
  await import("../dist/admin/kubbi-admin.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("kubbi-admin.js")) throw error;
  process.stderr.write("kubbi-admin: the API is not built yet; run `pnpm build` first\n");
  process.exitCode = 1;
}
