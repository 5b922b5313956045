import type { Instruction } from "./dockerfile/index.js";

/**
 * COPY/ADD flags of BuildKit's newer syntax (`--link`, `--exclude`, `--parents`, `--checksum`,
 * `--unpack`, `--keep-git-dir`) that this builder does not implement: dockerd's classic
 * builder refuses them as unknown flags when it parses the Dockerfile, before any step runs,
 * and so does this one rather than ignore them.
 */
export function buildKitOnlyFlag(i: Instruction): string | undefined {
  if (i.kind !== "copy" && i.kind !== "add") return undefined;
  if (i.link) return "link";
  if (i.exclude.length > 0) return "exclude";
  if (i.kind === "copy") return i.parents ? "parents" : undefined;
  if (i.checksum !== undefined) return "checksum";
  if (i.unpack !== undefined) return "unpack";
  return i.keepGitDir !== undefined ? "keep-git-dir" : undefined;
}
