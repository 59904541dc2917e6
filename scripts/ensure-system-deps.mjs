#!/usr/bin/env node
/**
 * The test suites need a few system programs that npm cannot provide: redis-server (every server
 * test runs against a real one) and redis-cli (it builds the local Redis Cluster the suites also run on),
 * python3 with venv (the official Python SDK's compatibility suite), Chromium (the claim page's browser
 * test), and nginx, openssl and systemd-analyze (docs/deploy.md's nginx config is run in front of the API,
 * its systemd unit verified). On Debian as root they are installed with apt-get; otherwise this says
 * exactly what is missing and stops.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const has = (command, args = ["--version"]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

const requirements = [
  { what: "redis-server", present: () => has("redis-server"), packages: ["redis-server"] },
  { what: "redis-cli", present: () => has("redis-cli"), packages: ["redis-tools"] },
  {
    what: "python3 with venv and pip",
    present: () => has("python3", ["-c", "import venv, ensurepip"]),
    packages: ["python3", "python3-venv", "python3-pip"],
  },
  { what: "chromium", present: () => existsSync("/usr/bin/chromium"), packages: ["chromium"] },
  { what: "systemd-analyze", present: () => has("systemd-analyze", ["--version"]), packages: ["systemd"] },
  {
    what: "nginx and openssl",
    present: () => (has("nginx", ["-v"]) || has("/usr/sbin/nginx", ["-v"])) && has("openssl", ["version"]),
    packages: ["nginx", "openssl"],
  },
];

const missing = requirements.filter((requirement) => !requirement.present());
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.flatMap((requirement) => requirement.packages))];
const isRoot = process.getuid?.() === 0;
if (!isRoot || !has("apt-get", ["--version"])) {
  process.stderr.write(
    `missing: ${missing.map((requirement) => requirement.what).join(", ")}\ninstall them, e.g.: sudo apt-get install -y ${packages.join(" ")}\n`,
  );
  process.exit(1);
}
process.stderr.write(`installing ${packages.join(", ")} with apt-get\n`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env });
const stillMissing = requirements.filter((requirement) => !requirement.present());
if (stillMissing.length > 0) {
  process.stderr.write(
    `still missing after apt-get: ${stillMissing.map((requirement) => requirement.what).join(", ")}\n`,
  );
  process.exit(1);
}
