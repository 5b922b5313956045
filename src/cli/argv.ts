/**
 * Node 20 reads `--env-file` anywhere in its argv, even after the script name,
 * and dies before berth runs (`berth run --env-file f …`). The `berth` launcher
 * (bin/berth) hides such arguments behind a leading U+001E; this undoes it.
 */
const marker = "\u001e";

export function escapeArgv(argv: readonly string[]): string[] {
  return argv.map((a) => (a === "--env-file" || a.startsWith("--env-file=") ? marker + a : a));
}

export function unescapeArgv(argv: readonly string[]): string[] {
  return argv.map((a) => (a.startsWith(marker + "--env-file") ? a.slice(1) : a));
}
