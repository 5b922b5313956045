/** Docker's words for a failure of the OCI runtime. */
import { internal, invalid, type EngineError } from "../../errors.js";

/**
 * runc reports through logrus: `time="…" level=error msg="runc create failed: …"`. The message
 * is the `msg` value, unquoted (containerd reads runc's log the same way); other text stays.
 */
export function runcMessage(text: string): string {
  const msgs = [...text.matchAll(/level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/g)].map((m) => {
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1] ?? "";
    }
  });
  return msgs.length > 0 ? msgs.join(": ") : text.trim();
}

/**
 * Missing or non-executable programs are the caller's fault: Docker answers
 * 400 and its CLI exits 127/126 on them. A create failure reads as dockerd's (containerd
 * adds "failed to create shim task").
 */
export function runtimeFailure(op: "create" | "exec" | "start", message: string): EngineError {
  const prefix = op === "create" ? "failed to create shim task: " : "";
  const text = `${prefix}OCI runtime ${op} failed: ${runcMessage(message)}: unknown`;
  if (/executable file not found|no such file or directory|permission denied|not a directory/i.test(message))
    return invalid(text);
  return internal(text);
}
