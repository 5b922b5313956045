/**
 * `ADD --checksum=<digest>`: BuildKit's checks of the flag (one source, an HTTP(S) or a git one;
 * for HTTP(S) a digest go-digest can parse) and of the download (its sha256 against the pin),
 * with BuildKit's texts. A git source's checksum (a commit prefix) is checked against the
 * resolved commit (addGitRef.ts checkGitChecksum).
 */
import { invalid } from "../errors.js";
import { isAddGitSource } from "./addGitRef.js";

export const checksumMessages = {
  multipleSources: "checksum can't be specified for multiple sources",
  notHttp: "checksum requires HTTP(S) or Git sources",
  format: "invalid checksum digest format",
  length: "invalid checksum digest length",
  unsupported: "unsupported digest algorithm",
  mismatch: (url: string, got: string, want: string) =>
    `digest mismatch for ${url}: ${got} (expected: ${want})`,
};

/** Hex lengths of the algorithms go-digest knows. */
const algorithms: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest's Parse: `algorithm:hex`, the errors in its words. */
export function parseDigest(s: string): string {
  const i = s.indexOf(":");
  if (i <= 0 || i + 1 === s.length) throw invalid(checksumMessages.format);
  const alg = s.slice(0, i);
  const hex = s.slice(i + 1);
  const size = algorithms[alg];
  if (size === undefined) {
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(s)) throw invalid(checksumMessages.format);
    throw invalid(checksumMessages.unsupported);
  }
  if (hex.length !== size) throw invalid(checksumMessages.length);
  if (!/^[a-f0-9]+$/.test(hex)) throw invalid(checksumMessages.format);
  return s;
}

/**
 * Checks `--checksum` against the instruction's sources (paths and URLs, heredocs not counted)
 * before anything is fetched; returns the parsed digest for an HTTP(S) source, the checksum as
 * given for a git one.
 */
export function checkChecksumFlag(checksum: string, sources: readonly string[]): string {
  if (sources.length !== 1) throw invalid(checksumMessages.multipleSources);
  const src = sources[0] as string;
  if (isAddGitSource(src)) return checksum;
  if (!/^https?:\/\//.test(src)) throw invalid(checksumMessages.notHttp);
  return parseDigest(checksum);
}

/** The downloaded file's sha256 (hex) against the pin (BuildKit hashes with sha256 only). */
export function verifyChecksum(url: string, sha256Hex: string, want: string): void {
  const got = `sha256:${sha256Hex}`;
  if (got !== want) throw invalid(checksumMessages.mismatch(url, got, want));
}
