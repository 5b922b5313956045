import { parseDockerfile } from "./dockerfile.js";
import type { Instruction } from "./types.js";

/** Test helper: the instructions of a one-stage Dockerfile body (a FROM is prepended). */
export function body(text: string): Instruction[] {
  return parseDockerfile(`FROM scratch\n${text}`).stages[0]?.instructions ?? [];
}

/** Test helper: the only instruction of a body, narrowed to `kind`. */
export function only<K extends Instruction["kind"]>(
  text: string,
  kind: K,
): Extract<Instruction, { kind: K }> {
  const list = body(text);
  const first = list[0];
  if (list.length !== 1 || first === undefined || first.kind !== kind)
    throw new Error(`expected one ${kind}, got ${list.map((i) => i.kind).join(",")}`);
  return first as Extract<Instruction, { kind: K }>;
}

/** Test helper: the message parseDockerfile throws for `text`. */
export function parseError(text: string): string {
  try {
    parseDockerfile(text);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return "(no error)";
}
