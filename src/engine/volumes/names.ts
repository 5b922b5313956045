/**
 * Volume names: Docker's rule for local volumes (the name becomes a directory
 * under the volumes root, so it must not be able to escape it) and the random
 * names of anonymous volumes.
 */
import { invalid } from "../errors.js";
import { newHexId } from "../ids.js";
import { volumeMessages } from "../messages.js";

/** The label Docker sets on anonymous volumes; prune without `all` removes only these. */
export const anonymousLabel = "com.docker.volume.anonymous";

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Throws invalid (without the "create NAME: " prefix the service adds). */
export function validateVolumeName(name: string): void {
  if (name.length === 1) throw invalid(volumeMessages.nameTooShort());
  if (!namePattern.test(name)) throw invalid(volumeMessages.invalidName(name));
}

/** 64 hex characters, as Docker's stringid.GenerateRandomID. */
export function newAnonymousName(): string {
  return newHexId();
}
