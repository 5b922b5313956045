/**
 * Branded identifiers. Each brand has one parse function, called where the
 * string enters the engine, so an image ID cannot be passed as a container ID.
 */
import { createHash, randomBytes } from "node:crypto";
import { invalid } from "./errors.js";

declare const brands: unique symbol;
/** One key per brand, so brands stack (an ImageId is also a Digest) instead of colliding into never. */
type Brand<T, B extends string> = T & { readonly [brands]: { readonly [K in B]: true } };

/** "sha256:" + 64 hex. */
export type Digest = Brand<string, "Digest">;
/** Image ID: the digest of the image config bytes. */
export type ImageId = Brand<Digest, "ImageId">;
/** Digest of an uncompressed layer tar. */
export type DiffId = Brand<Digest, "DiffId">;
/** Identity of a layer stack: chain(L1..Ln) = sha256(chain(L1..Ln-1) + " " + diffId(Ln)). */
export type ChainId = Brand<Digest, "ChainId">;
/** 64 hex, no algorithm prefix. */
export type ContainerId = Brand<string, "ContainerId">;
export type ExecId = Brand<string, "ExecId">;

const digestPattern = /^sha256:[a-f0-9]{64}$/;
const hex64 = /^[a-f0-9]{64}$/;

export function parseDigest(s: string): Digest {
  if (!digestPattern.test(s)) throw invalid(`invalid digest: ${s}`);
  return s as Digest;
}

export function isDigest(s: string): s is Digest {
  return digestPattern.test(s);
}

export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha256:${createHash("sha256").update(data).digest("hex")}` as Digest;
}

/** The hex part of a digest ("sha256:abc…" -> "abc…"). */
export function digestHex(d: Digest): string {
  return d.slice(7);
}

export function chainIdOf(diffIds: readonly DiffId[]): ChainId[] {
  const out: ChainId[] = [];
  let prev: string | undefined;
  for (const d of diffIds) {
    const next = prev === undefined ? d : sha256Digest(`${prev} ${d}`);
    out.push(next as ChainId);
    prev = next;
  }
  return out;
}

export function newHexId(): string {
  return randomBytes(32).toString("hex");
}

export function newContainerId(): ContainerId {
  return newHexId() as ContainerId;
}

export function newExecId(): ExecId {
  return newHexId() as ExecId;
}

export function parseHexId<T extends ContainerId | ExecId>(s: string): T {
  if (!hex64.test(s)) throw invalid(`invalid ID: ${s}`);
  return s as T;
}

/** Docker's 12-character short form of an ID or digest. */
export function shortId(id: string): string {
  const hex = id.startsWith("sha256:") ? id.slice(7) : id;
  return hex.slice(0, 12);
}
