/**
 * The embedded default: when no daemon answers on the default socket and the
 * user is root, start berthd in the background and wait for it, so that
 * `berth run …` works with no set-up.
 */
import { spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const defaultSocket = "/run/berth/berth.sock";
const daemonLog = "/var/log/berth/berthd.log";

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Starts berthd if needed; returns a message when it could not. */
export async function ensureDefaultDaemon(): Promise<string | undefined> {
  if (await answers(defaultSocket)) return undefined;
  if (process.getuid?.() !== 0) return undefined;
  const here = dirname(fileURLToPath(import.meta.url));
  const berthd = join(here, "..", "..", "..", "bin", "berthd.js");
  mkdirSync(dirname(daemonLog), { recursive: true });
  const out = openSync(daemonLog, "a");
  const child = spawn(process.execPath, [berthd], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  for (let i = 0; i < 200; i++) {
    if (await answers(defaultSocket)) return undefined;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return `berthd did not start; see ${daemonLog}`;
}
