/** Versions of the OCI runtime and conmon, for `version`'s Components. */
import { execFile } from "node:child_process";

function firstLine(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

let cached: Promise<{ name: string; version: string; gitCommit: string }[]> | undefined;

export function runtimeVersions(
  runtime: string,
): Promise<{ name: string; version: string; gitCommit: string }[]> {
  cached ??= (async () => {
    const out: { name: string; version: string; gitCommit: string }[] = [];
    const rt = await firstLine(runtime, ["--version"]);
    if (rt !== undefined) {
      const version = /version\s+(\S+)/.exec(rt)?.[1] ?? "unknown";
      const commit = /commit:\s*(\S+)/.exec(rt)?.[1] ?? "";
      out.push({ name: runtime, version, gitCommit: commit });
    }
    const cm = await firstLine("conmon", ["--version"]);
    if (cm !== undefined) {
      out.push({ name: "conmon", version: /version\s+(\S+)/.exec(cm)?.[1] ?? "unknown", gitCommit: "" });
    }
    return out;
  })();
  return cached;
}
