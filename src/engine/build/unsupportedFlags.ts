import { notImplemented, type EngineError } from "../errors.js";
import type { Instruction } from "./dockerfile/index.js";

/**
 * The one COPY/ADD flag of BuildKit's syntax this builder refuses: `ADD --keep-git-dir` only
 * means something for a git repository source, and ADD does not take those here. It is refused
 * when the Dockerfile is read, before any step runs (a clear 501, not dockerd 20.10's "unknown
 * flag": the flag is known, what it needs is missing).
 */
export function refusedTransferFlag(i: Instruction): EngineError | undefined {
  if (i.kind !== "add" || i.keepGitDir === undefined) return undefined;
  return notImplemented(
    `dockerfile line ${i.startLine}: ADD --keep-git-dir is not supported: this builder does not ADD git repositories`,
  );
}
