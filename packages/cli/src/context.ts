/** What every command runs with: its parsed arguments, the process's streams and environment, and the API config. */
import { DEFAULT_BASE_URL, KubbiClient, type FetchLike } from "@kubbi.ai/sdk";
import { escapeLines, escapeText, toSafeJson } from "./escape.js";
import { CliError, ExitCode } from "./exit-codes.js";
import { fetchWithProgress } from "./progress.js";

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export class CommandContext {
  constructor(
    readonly io: Io,
    readonly values: OptionValues,
    readonly positionals: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === "string" ? value : undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** The --base-url flag or KUBBI_BASE_URL, if either was given. */
  private get configuredBaseUrl(): string | undefined {
    return this.string("base-url") ?? (this.io.env.KUBBI_BASE_URL || undefined);
  }

  get baseUrl(): string {
    return this.configuredBaseUrl ?? DEFAULT_BASE_URL;
  }

  /** A progress bar only when a person is watching: stdout and stderr are terminals, and --no-progress is absent. */
  get fetch(): FetchLike | undefined {
    const watching = this.io.stdout.isTTY === true && this.io.stderr.isTTY === true && !this.flag("no-progress");
    return watching ? fetchWithProgress(this.io.stderr) : undefined;
  }

  producer(): KubbiClient {
    const apiKey = this.string("api-key") ?? this.io.env.KUBBI_API_KEY;
    if (!apiKey) throw new CliError("no API key: pass --api-key or set KUBBI_API_KEY", ExitCode.auth);
    // A self-hosted key (and payload) would otherwise go to the hosted service when KUBBI_BASE_URL is forgotten.
    if (this.configuredBaseUrl === undefined)
      this.warn(
        `using ${DEFAULT_BASE_URL}, the hosted service (set KUBBI_BASE_URL or --base-url to use your own server)`,
      );
    return new KubbiClient({ apiKey, baseUrl: this.baseUrl, fetch: this.fetch });
  }

  /**
   * Consumer options for a claim URL or token. A full URL goes to the host it names, as curl would: the
   * person running the command chose it. A bare token goes to the base URL.
   */
  consumerOptions(urlOrToken: string) {
    const isUrl = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(urlOrToken.trim());
    return { baseUrl: isUrl ? undefined : this.baseUrl, fetch: this.fetch };
  }

  /** Text for stdout; any control or invisible character left in it is escaped (escape.ts), line ends kept. */
  write(text: string): void {
    this.io.stdout.write(escapeLines(text));
  }

  /** Unescaped, byte for byte: only for a claimed payload going to a pipe or file, never to a terminal. */
  writeRaw(text: string): void {
    this.io.stdout.write(text);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${toSafeJson(value, 2)}\n`);
  }

  /** One line for stderr: a newline or any other control character in it is escaped, so it stays one line. */
  warn(text: string): void {
    this.io.stderr.write(`kubbi: ${escapeText(text)}\n`);
  }
}
