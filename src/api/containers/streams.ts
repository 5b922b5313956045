/**
 * Stream endpoints: attach and exec start (hijacked connections with
 * stdcopy framing without a TTY, raw with one, stdin half-close, detach
 * keys), logs, and the exec create/inspect/resize endpoints.
 */
import { PassThrough, type Duplex } from "node:stream";
import type {
  AttachSession,
  Container,
  ExecConfig,
  ExecRecord,
  ExecSession,
  ExecStartOptions,
  LogLine,
  OutputChunk,
} from "../../engine/containers/index.js";
import { invalid } from "../../engine/errors.js";
import type { RequestContext } from "../context.js";
import { boolValue, intValue, readJson } from "../query.js";
import type { Route } from "../router.js";
import { frame } from "../stdcopy.js";
import { parseTimestampNano, rfc3339Nano } from "../timestamp.js";
import type { ExecCreateBody, ExecInspectResponse, ExecStartBody } from "../types/containers.js";

export interface ContainerStreamsBackend {
  get(ref: string): Container;
  attach(
    ref: string,
    opts: { stdin?: import("node:stream").Readable; stdout: boolean; stderr: boolean },
    signal?: AbortSignal,
  ): Promise<AttachSession>;
  logs(
    ref: string,
    opts: { follow: boolean; since?: bigint; until?: bigint; tail?: number; signal?: AbortSignal },
  ): AsyncIterable<LogLine>;
  execCreate(ref: string, config: ExecConfig): ExecRecord;
  execStart(id: string, opts: ExecStartOptions): Promise<ExecSession>;
  execGet(id: string): ExecRecord;
  execResize(id: string, size: { height: number; width: number }): Promise<void>;
}

const rawType = "application/vnd.docker.raw-stream";
const muxType = "application/vnd.docker.multiplexed-stream";

/** "ctrl-p,ctrl-q" to bytes; Docker's default when unset. */
export function parseDetachKeys(spec: string): number[] {
  const keys: number[] = [];
  for (const k of (spec || "ctrl-p,ctrl-q").split(",")) {
    if (k.length === 1) keys.push(k.charCodeAt(0));
    else if (/^ctrl-[a-z@[\\\]^_]$/.test(k)) {
      const c = k.charAt(5);
      keys.push(c >= "a" && c <= "z" ? c.charCodeAt(0) - 96 : "@[\\]^_".indexOf(c));
    } else throw invalid(`Invalid detach keys (${k}) provided`);
  }
  return keys;
}

/**
 * Copies client bytes to the container's stdin, watching for the detach
 * sequence. A partial match is held back until it completes or breaks.
 */
function stdinWithDetach(input: Duplex, keys: number[], onDetach: () => void): PassThrough {
  const out = new PassThrough();
  let held: number[] = [];
  input.on("data", (chunk: Buffer) => {
    const pass: number[] = [];
    for (const byte of chunk) {
      if (byte === keys[held.length]) {
        held.push(byte);
        if (held.length === keys.length) {
          if (pass.length > 0) out.write(Buffer.from(pass));
          held = [];
          onDetach();
          return;
        }
        continue;
      }
      pass.push(...held);
      held = [];
      if (byte === keys[0]) held.push(byte);
      else pass.push(byte);
    }
    if (pass.length > 0) out.write(Buffer.from(pass));
  });
  // Half-close: the client ended its stdin, output keeps flowing.
  input.on("end", () => out.end());
  input.on("error", () => out.end());
  // A body reader may have paused the connection; a new listener alone does not resume it.
  input.resume();
  return out;
}

async function pump(output: AsyncIterable<OutputChunk>, to: Duplex, tty: boolean): Promise<void> {
  for await (const chunk of output) {
    if (to.destroyed) break;
    to.write(tty ? chunk.data : frame(chunk.stream === "stderr" ? 2 : 1, chunk.data));
  }
}

function writeLogLine(to: NodeJS.WritableStream, line: LogLine, tty: boolean, timestamps: boolean): void {
  const text = timestamps
    ? Buffer.concat([Buffer.from(rfc3339Nano(line.timeNano) + " "), line.text])
    : line.text;
  to.write(tty ? text : frame(line.stream === "stderr" ? 2 : 1, text));
}

async function attachHandler(ctx: RequestContext, b: ContainerStreamsBackend): Promise<void> {
  const ref = ctx.param("id");
  const c = b.get(ref);
  const tty = c.config.tty;
  const wantStdin = boolValue(ctx.query, "stdin") && c.config.openStdin;
  const stdout = boolValue(ctx.query, "stdout");
  const stderr = boolValue(ctx.query, "stderr");
  const keys = parseDetachKeys(ctx.query.get("detachKeys") ?? "");
  const conn = ctx.hijack(tty ? rawType : muxType);
  // dockerode sends its options as a JSON body too; on an upgraded connection those bytes
  // come before stdin, and dockerd drops them with the request's buffered body.
  if (ctx.isUpgrade) await upgradeBody(ctx, conn.input).catch(() => undefined);
  const ac = new AbortController();
  let session: AttachSession | undefined;
  const finish = () => {
    session?.close();
    ac.abort();
    if (!conn.output.destroyed) conn.output.end();
  };
  conn.output.on("close", finish);
  conn.output.on("error", finish);
  if (boolValue(ctx.query, "logs")) {
    for await (const line of b.logs(ref, { follow: false })) {
      if ((line.stream === "stdout" && stdout) || (line.stream === "stderr" && stderr)) {
        writeLogLine(conn.output, line, tty, false);
      }
    }
  }
  if (!boolValue(ctx.query, "stream")) return finish();
  const stdin = wantStdin ? stdinWithDetach(conn.input, keys, finish) : undefined;
  if (!wantStdin) conn.input.resume();
  try {
    session = await b.attach(ref, { ...(stdin ? { stdin } : {}), stdout, stderr }, ac.signal);
    if (ac.signal.aborted) return session.close();
    await pump(session.output, conn.output, tty);
  } catch {
    // The client went away or the start failed; the start request reports why.
  }
  finish();
}

async function execStartHandler(ctx: RequestContext, b: ContainerStreamsBackend): Promise<void> {
  const id = ctx.param("id");
  const rec = b.execGet(id);
  if (ctx.isUpgrade) return execStartUpgraded(ctx, b, rec);
  const body = ((await readJson(ctx.req)) ?? {}) as ExecStartBody;
  const size = body.ConsoleSize ? { height: body.ConsoleSize[0], width: body.ConsoleSize[1] } : undefined;
  if (body.Detach) {
    await b.execStart(id, { detach: true, ...(size ? { consoleSize: size } : {}) });
    ctx.json(200, {});
    return;
  }
  await streamExec(ctx.hijack(rec.config.tty ? rawType : muxType), b, rec, body);
}

/**
 * An upgraded request's body arrives on the connection after the headers:
 * read Content-Length bytes of JSON from it, then the rest is stdin.
 */
async function execStartUpgraded(
  ctx: RequestContext,
  b: ContainerStreamsBackend,
  rec: ExecRecord,
): Promise<void> {
  const conn = ctx.hijack(rec.config.tty ? rawType : muxType);
  const body = await upgradeBody(ctx, conn.input);
  let parsed: ExecStartBody = {};
  try {
    parsed = body.length > 0 ? (JSON.parse(body.toString("utf8")) as ExecStartBody) : {};
  } catch {
    // Docker ignores a body it cannot read here; the exec config already has the streams.
  }
  await streamExec(conn, b, rec, { ...parsed, Detach: false });
}

/** The Content-Length bytes of an upgraded request's body, read off the hijacked connection. */
function upgradeBody(ctx: RequestContext, input: Duplex): Promise<Buffer> {
  const length = Number(ctx.req.headers["content-length"] ?? 0);
  return Number.isSafeInteger(length) && length > 0
    ? readExactly(input, length)
    : Promise.resolve(Buffer.alloc(0));
}

function readExactly(input: Duplex, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= n) {
        input.off("data", onData);
        input.off("end", onEnd);
        input.pause();
        if (got.length > n) input.unshift(got.subarray(n));
        resolve(got.subarray(0, n));
      }
    };
    const onEnd = () => reject(new Error("connection closed before the request body"));
    input.on("data", onData);
    input.on("end", onEnd);
  });
}

async function streamExec(
  conn: { input: Duplex; output: Duplex },
  b: ContainerStreamsBackend,
  rec: ExecRecord,
  body: ExecStartBody,
): Promise<void> {
  const id = rec.id;
  const tty = rec.config.tty;
  const size = body.ConsoleSize ? { height: body.ConsoleSize[0], width: body.ConsoleSize[1] } : undefined;
  let session: ExecSession | undefined;
  const finish = () => {
    session?.close();
    if (!conn.output.destroyed) conn.output.end();
  };
  conn.output.on("close", finish);
  conn.output.on("error", finish);
  const stdin = rec.config.attachStdin ? stdinWithDetach(conn.input, parseDetachKeys(""), finish) : undefined;
  if (!stdin) conn.input.resume();
  try {
    session = await b.execStart(id, {
      detach: false,
      ...(stdin ? { stdin } : {}),
      ...(size ? { consoleSize: size } : {}),
    });
    await pump(session.output, conn.output, tty);
    await session.exitCode.catch(() => undefined);
  } catch (err) {
    if (!conn.output.destroyed)
      conn.output.write(
        tty ? `${(err as Error).message}\r\n` : frame(2, Buffer.from(`${(err as Error).message}\n`)),
      );
  }
  finish();
}

function execInspect(rec: ExecRecord): ExecInspectResponse {
  const [entrypoint = "", ...args] = rec.config.cmd;
  return {
    ID: rec.id,
    Running: rec.running,
    ExitCode: rec.exitCode ?? null,
    ProcessConfig: {
      tty: rec.config.tty,
      entrypoint,
      arguments: args,
      privileged: rec.config.privileged,
      // omitempty in moby's ExecProcessConfig.
      ...(rec.config.user ? { user: rec.config.user } : {}),
    },
    OpenStdin: rec.config.attachStdin,
    OpenStderr: rec.config.attachStderr,
    OpenStdout: rec.config.attachStdout,
    CanRemove: false,
    ContainerID: rec.containerId,
    DetachKeys: "",
    Pid: rec.pid,
  };
}

export function containerStreamRoutes(b: ContainerStreamsBackend): Route[] {
  return [
    { method: "POST", path: "/containers/{id}/attach", handler: (ctx) => attachHandler(ctx, b) },
    {
      method: "GET",
      path: "/containers/{id}/logs",
      handler: async (ctx) => {
        const ref = ctx.param("id");
        const c = b.get(ref);
        const stdout = boolValue(ctx.query, "stdout");
        const stderr = boolValue(ctx.query, "stderr");
        if (!stdout && !stderr) throw invalid("You must choose at least one stream");
        const since = ctx.query.get("since");
        const until = ctx.query.get("until");
        const tailRaw = ctx.query.get("tail");
        const tail =
          tailRaw === null || tailRaw === "" || tailRaw === "all"
            ? undefined
            : intValue(ctx.query, "tail", -1);
        const ac = new AbortController();
        ctx.req.socket.on("close", () => ac.abort());
        const lines = b.logs(ref, {
          follow: boolValue(ctx.query, "follow"),
          ...(since && since !== "0" ? { since: parseTimestampNano(since) } : {}),
          ...(until && until !== "0" ? { until: parseTimestampNano(until) } : {}),
          ...(tail !== undefined && tail >= 0 ? { tail } : {}),
          signal: ac.signal,
        });
        const tty = c.config.tty;
        const out = ctx.stream(tty ? rawType : muxType);
        const timestamps = boolValue(ctx.query, "timestamps");
        for await (const line of lines) {
          if ((line.stream === "stdout" && !stdout) || (line.stream === "stderr" && !stderr)) continue;
          writeLogLine(out, line, tty, timestamps);
        }
        out.end();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/exec",
      handler: async (ctx) => {
        const body = ((await readJson(ctx.req)) ?? {}) as ExecCreateBody;
        const cmd = typeof body.Cmd === "string" ? [body.Cmd] : (body.Cmd ?? []);
        const rec = b.execCreate(ctx.param("id"), {
          cmd,
          tty: body.Tty === true,
          attachStdin: body.AttachStdin === true,
          attachStdout: body.AttachStdout === true,
          attachStderr: body.AttachStderr === true,
          env: body.Env ?? [],
          user: body.User ?? "",
          workingDir: body.WorkingDir ?? "",
          privileged: body.Privileged === true,
        });
        ctx.json(201, { Id: rec.id });
      },
    },
    { method: "POST", path: "/exec/{id}/start", handler: (ctx) => execStartHandler(ctx, b) },
    {
      method: "GET",
      path: "/exec/{id}/json",
      handler: async (ctx) => ctx.json(200, execInspect(b.execGet(ctx.param("id")))),
    },
    {
      method: "POST",
      path: "/exec/{id}/resize",
      handler: async (ctx) => {
        await b.execResize(ctx.param("id"), {
          height: intValue(ctx.query, "h", 0),
          width: intValue(ctx.query, "w", 0),
        });
        ctx.text(200, "");
      },
    },
  ];
}
