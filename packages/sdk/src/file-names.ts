/**
 * Which claimed file names are unsafe to write. A producer chooses every name in a package; some names
 * are picked up by ordinary tools on their own from the directory they run in (often from its parents
 * too), so writing such a file changes what the next `npm test`, `make`, `pytest`, `cd` (direnv) or
 * `git status` there does, without anyone opening the file. A `.npmrc` next to a JS file is code
 * execution on the consumer's next `npm test`.
 *
 * The rules go by category, so they also cover tools not named here:
 *  1. Hidden files (a leading dot). Nearly every tool's per-directory configuration is one (.npmrc,
 *     .yarnrc.yml, .pnpmfile.cjs, .envrc, .env, .git*, .bashrc, .profile, .tool-versions, .vscode, .idea),
 *     and listings hide them.
 *  2. Build, package and task files: they say what a plain `make`, `npm test`, `rake`, `just`,
 *     `cargo build`, `gradle`, `pip install .` or `docker compose up` runs.
 *  3. Files a runtime, test runner or build tool loads and executes by itself: conftest.py,
 *     sitecustomize.py, usercustomize.py, *.pth, and JavaScript/TypeScript tool configs (*.config.js,
 *     karma.conf.js, gulpfile.js ...).
 *  4. Files Windows Explorer parses as soon as it shows the folder: desktop.ini, autorun.inf, and the
 *     shortcut kinds whose icons or targets it resolves (*.lnk, *.url, *.scf, *.library-ms, *.searchconnector-ms).
 *
 * Names are compared as a case-insensitive or Windows file system stores them: NFC-normalized,
 * lower-cased, trailing dots and spaces dropped (Windows writes `Makefile.` as `Makefile`).
 */

/** Exact names, lower-cased, with the tool that picks each up. */
const AUTO_LOADED: Readonly<Record<string, string>> = {
  // Build, package and task files (category 2).
  makefile: "make runs it",
  gnumakefile: "make runs it",
  justfile: "just runs it",
  "taskfile.yml": "task runs it",
  "taskfile.yaml": "task runs it",
  rakefile: "rake runs it",
  gemfile: "bundler runs it",
  vagrantfile: "vagrant runs it",
  tiltfile: "tilt runs it",
  "package.json": "npm, yarn and pnpm run its scripts",
  "bunfig.toml": "bun loads it (preload scripts)",
  "deno.json": "deno runs its tasks",
  "deno.jsonc": "deno runs its tasks",
  "cargo.toml": "cargo builds from it",
  "build.rs": "cargo runs it",
  "build.gradle": "gradle runs it",
  "build.gradle.kts": "gradle runs it",
  "settings.gradle": "gradle runs it",
  "settings.gradle.kts": "gradle runs it",
  gradlew: "the gradle wrapper",
  "pom.xml": "maven builds from it",
  "build.sbt": "sbt runs it",
  "cmakelists.txt": "cmake runs it",
  "meson.build": "meson runs it",
  "setup.py": "pip install runs it",
  "setup.cfg": "pip and pytest read it",
  "pyproject.toml": "pip and pytest read it (build backends, plugins)",
  "pytest.ini": "pytest reads it (plugins)",
  "tox.ini": "tox and pytest read it",
  "noxfile.py": "nox runs it",
  "compose.yml": "docker compose runs it",
  "compose.yaml": "docker compose runs it",
  "docker-compose.yml": "docker compose runs it",
  "docker-compose.yaml": "docker compose runs it",
  // Loaded and executed by a runtime or test runner (category 3).
  "conftest.py": "pytest imports it",
  "sitecustomize.py": "python imports it at start-up",
  "usercustomize.py": "python imports it at start-up",
  // Parsed by Windows Explorer when it shows the folder (category 4).
  "desktop.ini": "Windows Explorer reads it",
  "autorun.inf": "Windows reads it",
};

/** Name patterns, over the same normalized form. */
const AUTO_LOADED_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^\./, "a hidden file: tools read dotfiles (.npmrc, .envrc, .git*, ...) as configuration"],
  [/\.pth$/, "python runs its import lines at start-up"],
  [/\.(config|conf)\.[cm]?[jt]sx?$/, "the tool it configures executes it"],
  [/^(gulpfile|gruntfile|jakefile)(\.[cm]?[jt]s)?$/, "a task runner executes it"],
  [/\.(lnk|url|scf|library-ms|searchconnector-ms)$/, "Windows Explorer resolves it when it shows the folder"],
];

/**
 * Why writing a file of this name could make a tool run or load it by itself, or null when the name is
 * not one of those (see the module comment for the rules). Does not check that the name is a plain file
 * name: `safeFilePath` does that.
 */
export function unsafeFileNameReason(name: string): string | null {
  // Trailing dots and spaces go only after some other character, so "..." stays a hidden name.
  const normalized = name
    .normalize("NFC")
    .toLowerCase()
    .replace(/(?<=[^. ])[. ]+$/, "");
  if (Object.hasOwn(AUTO_LOADED, normalized)) return AUTO_LOADED[normalized]!;
  for (const [pattern, reason] of AUTO_LOADED_PATTERNS) if (pattern.test(normalized)) return reason;
  return null;
}
