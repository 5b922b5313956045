/**
 * The daemon's log: one line per record on stderr, logrus-like
 * (`time="…" level=info msg="…"`), filtered by level.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "fatal";

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

let threshold: LogLevel = "info";

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function isLogLevel(s: string): s is LogLevel {
  return s in order;
}

function write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  if (order[level] < order[threshold]) return;
  let line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      const text =
        v instanceof Error ? (v.stack ?? v.message) : typeof v === "string" ? v : JSON.stringify(v);
      line += ` ${k}=${JSON.stringify(text)}`;
    }
  }
  process.stderr.write(line + "\n");
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
