/**
 * BuildKit's COPY/ADD flags as words of the classic history text (`COPY --link --exclude=*.md
 * dir:<hash> in /x `): `docker history` shows them, and the text is the step container's
 * command, so a different flag is a different cache key. `--exclude` patterns are written as
 * given (BuildKit keys its copy op on them too, even where the kept files are the same).
 */
import type { AddInstruction, CopyInstruction } from "./dockerfile/index.js";

export function flagWords(instr: CopyInstruction | AddInstruction): string[] {
  const w: string[] = [];
  if (instr.link) w.push("--link");
  if (instr.kind === "copy" && instr.parents) w.push("--parents");
  if (instr.kind === "add") {
    if (instr.unpack !== undefined) w.push(`--unpack=${instr.unpack}`);
    if (instr.checksum !== undefined) w.push(`--checksum=${instr.checksum}`);
  }
  for (const e of instr.exclude) w.push(`--exclude=${e}`);
  return w;
}

/**
 * The source label with the flag words before it. dockerd writes `--chown=<x>` with no space
 * after it (its text kept as is); the words then start with one, so they stay apart.
 */
export function withFlagWords(instr: CopyInstruction | AddInstruction, label: string): string {
  const w = flagWords(instr);
  if (w.length === 0) return label;
  const gap = instr.chown && !instr.chmod ? " " : "";
  return `${gap}${w.join(" ")} ${label}`;
}
