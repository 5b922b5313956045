/** Docker's words for a failure of the OCI runtime. */
import { internal, invalid, type EngineError } from "../../errors.js";

/**
 * Missing or non-executable programs are the caller's fault: Docker answers
 * 400 and its CLI exits 127/126 on them.
 */
export function runtimeFailure(op: "create" | "exec" | "start", message: string): EngineError {
  const text = `OCI runtime ${op} failed: ${message.trim()}: unknown`;
  if (/executable file not found|no such file or directory|permission denied|not a directory/i.test(message))
    return invalid(text);
  return internal(text);
}
