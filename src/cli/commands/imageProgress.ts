/**
 * The docker CLI's jsonmessage display: progress bars redrawn in place on a
 * terminal (one line per ID), skipped otherwise; `stream` text as is; an
 * in-band error ends the command with its message.
 */
import type { JsonMessageWire } from "../../api/types/images.js";
import { CliError } from "../context.js";
import { humanSize } from "../format/units.js";

function progressString(m: JsonMessageWire, columns: number): string {
  const d = m.progressDetail;
  if (d === undefined || (d.current ?? 0) <= 0) return m.progress ?? "";
  const current = d.current ?? 0;
  const total = d.total ?? 0;
  if (total <= 0) return humanSize(current, 4).padStart(8);
  let bar = "";
  const width = 50;
  const filled = Math.min(width, Math.floor((width * current) / total));
  if (columns > 110)
    bar = `[${"=".repeat(Math.max(0, filled - 1))}${filled > 0 ? ">" : ""}${" ".repeat(width - filled)}] `;
  return `${bar}${humanSize(current, 4).padStart(8)}/${humanSize(total, 4)}`;
}

/** Prints one message after another as the docker CLI's jsonmessage display does. */
export class JsonMessagePrinter {
  private readonly tty: boolean;
  private readonly columns: number;
  private readonly lines = new Map<string, number>();

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {
    this.tty = out.isTTY === true;
    this.columns = out.columns ?? 80;
  }

  print(m: JsonMessageWire): void {
    const { out, tty, lines } = this;
    if (m.error !== undefined || m.errorDetail !== undefined) {
      throw new CliError(m.errorDetail?.message ?? m.error ?? "unknown error");
    }
    const isProgress = m.progressDetail !== undefined && (m.progressDetail.current ?? 0) > 0;
    if (isProgress && !tty) return;
    let diff = 0;
    if (m.id && isProgress) {
      let line = lines.get(m.id);
      if (line === undefined) {
        line = lines.size;
        lines.set(m.id, line);
        out.write("\n");
      }
      diff = lines.size - line;
      if (tty) out.write(`\x1b[${diff}A`);
    } else {
      lines.clear();
    }
    let text = "";
    if (tty && isProgress) text += "\x1b[2K\r";
    if (m.id) text += `${m.id}: `;
    if (isProgress) text += `${m.status ?? ""} ${progressString(m, this.columns)}\r`;
    else if (m.stream !== undefined) text += m.stream;
    else text += `${m.status ?? ""}\n`;
    out.write(text);
    if (m.id && isProgress && tty) out.write(`\x1b[${diff}B`);
  }
}

export async function displayJsonMessages(
  messages: AsyncIterable<JsonMessageWire>,
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
): Promise<void> {
  const printer = new JsonMessagePrinter(out);
  for await (const m of messages) printer.print(m);
}
