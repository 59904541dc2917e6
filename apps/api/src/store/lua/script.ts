/**
 * A Lua script as the store runs it: its source, how many of its arguments are keys, and how its reply
 * becomes a value. Declared side by side so a reader goes from script to meaning in one hop.
 */
export interface LuaScript<Result, Subject = void> {
  /** The command name ioredis defines for it (run by SHA, EVAL on NOSCRIPT). */
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
  /** Turns the raw reply (Buffers, numbers, arrays) into what the store returns; subject is what the call was about. */
  decode(reply: unknown, subject: Subject): Result;
}

export const text = (value: unknown) => (Buffer.isBuffer(value) ? value.toString("utf8") : String(value));
