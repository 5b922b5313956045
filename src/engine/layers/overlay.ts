/**
 * The overlay mount plan, as data. mount(2) takes its options in one page
 * (4096 bytes, NUL included), so each lower dir is named by a short link,
 * `<root>/l/XXXXXXXXXX`, instead of its long real path (overlay2's `l/` dir).
 * Node cannot chdir per mount safely (libuv's threads share the cwd), so the
 * links are absolute; the length is checked here, before any syscall.
 */
import { randomInt } from "node:crypto";
import { invalid } from "../errors.js";

/** mount(2) copies at most one page of options, and the last byte is the NUL. */
export const MOUNT_DATA_LIMIT = 4095;
/** The kernel's limit on lower layers (OVL_MAX_STACK). */
export const OVERLAY_MAX_LOWER = 500;

export interface OverlayPlan {
  /** Lower dirs, top-most first (overlay's order). */
  lowerDirs: readonly string[];
  upperDir: string;
  workDir: string;
  /** Extra options, e.g. "index=off". */
  options?: readonly string[];
}

/** Overlay splits options at "," and lower dirs at ":"; a backslash escapes either. */
function escape(path: string, chars: RegExp): string {
  return path.replace(chars, (c) => `\\${c}`);
}

export function overlayMountData(plan: OverlayPlan): string {
  if (plan.lowerDirs.length === 0) throw invalid("an overlay mount needs at least one lower dir");
  if (plan.lowerDirs.length > OVERLAY_MAX_LOWER) {
    throw invalid(
      `too many layers for an overlay mount: ${plan.lowerDirs.length} (the kernel allows ${OVERLAY_MAX_LOWER})`,
    );
  }
  const lower = plan.lowerDirs.map((d) => escape(d, /[\\:,]/g)).join(":");
  const data = [
    ...(plan.options ?? []),
    `lowerdir=${lower}`,
    `upperdir=${escape(plan.upperDir, /[\\,]/g)}`,
    `workdir=${escape(plan.workDir, /[\\,]/g)}`,
  ].join(",");
  const len = Buffer.byteLength(data);
  if (len > MOUNT_DATA_LIMIT) {
    throw invalid(
      `too many layers for an overlay mount: ${plan.lowerDirs.length} lower dirs need ${len} bytes of mount options, more than the ${MOUNT_DATA_LIMIT} the kernel accepts`,
    );
  }
  return data;
}

const LINK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const LINK_LENGTH = 10;

/** A fresh short name for a layer (its cache dir and its link in `l/`). */
export function newLinkId(): string {
  let s = "";
  for (let i = 0; i < LINK_LENGTH; i++) s += LINK_ALPHABET[randomInt(LINK_ALPHABET.length)];
  return s;
}

export function isLinkId(s: string): boolean {
  return s.length === LINK_LENGTH && [...s].every((c) => LINK_ALPHABET.includes(c));
}
