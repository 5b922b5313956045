/**
 * One instruction of a stage, with the classic builder's semantics: expand the instruction
 * with the ENV + ARG scope of this moment, change the runConfig, and commit a step (a
 * `#(nop)` metadata step, a file step, or a RUN).
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { invalid, notImplemented } from "../errors.js";
import type { ContainerConfig } from "../images/index.js";
import { newHexId } from "../ids.js";
import { buildMessages } from "../messages.js";
import type { MountSpec } from "../containers/index.js";
import { expandInstruction, expandWord, type Instruction, type RunInstruction } from "./dockerfile/index.js";
import { prepareRunMounts, type RunMountContext } from "./runMounts.js";
import type { BuildEmit } from "./events.js";
import type { Executor } from "./executor.js";
import { goList, goQuoteList, healthcheckText, nopCmd, nopFileCmd, runCmdWithArgs } from "./history.js";
import { commandOf, exposedPortKeys, joinWorkdir, setEnv } from "./runConfig.js";
import { expansionScope, runArgs, type StageState } from "./stage.js";
import { transferStep, type TransferContext } from "./transfer.js";
import { mkdirInRoot } from "./rootPath.js";

export interface DispatchContext extends TransferContext, RunMountContext {
  exec: Executor;
  emit: BuildEmit;
  escapeChar: string;
  buildArgs: Readonly<Record<string, string>>;
  /** Values of the ARGs declared before the first FROM. */
  globalArgs: ReadonlyMap<string, string>;
  /** Build-arg names some ARG declared (for the unused warning). */
  consumed: Set<string>;
}

type Body = Exclude<Instruction, { kind: "from" }>;

export async function dispatch(d: DispatchContext, st: StageState, raw: Body): Promise<void> {
  const instr = expandInstruction(raw, expansionScope(st), { escapeChar: d.escapeChar });
  const meta = (comment: string, change: (c: ContainerConfig) => void) => {
    const config = structuredClone(st.config);
    change(config);
    return commitMeta(d, st, comment, config);
  };
  switch (instr.kind) {
    case "env":
      return meta(`ENV ${instr.env.map((kv) => `${kv.key}=${kv.value}`).join(" ")}`, (c) => {
        for (const kv of instr.env) c.Env = setEnv(c.Env ?? [], kv.key, kv.value);
      });
    case "label":
      return meta(`LABEL ${instr.labels.map((kv) => `${kv.key}=${kv.value}`).join(" ")}`, (c) => {
        c.Labels = { ...(c.Labels ?? {}) };
        for (const kv of instr.labels) c.Labels[kv.key] = kv.value;
      });
    case "maintainer":
      st.maintainer = instr.maintainer;
      return meta(`MAINTAINER ${instr.maintainer}`, () => undefined);
    case "expose": {
      const keys = exposedPortKeys(instr.ports);
      return meta(`EXPOSE ${instr.ports.join(" ")}`, (c) => {
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const k of keys) c.ExposedPorts[k] = {};
      });
    }
    case "volume":
      return meta(`VOLUME ${goList(instr.paths)}`, (c) => {
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const p of instr.paths) c.Volumes[p] = {};
      });
    case "user":
      return meta(`USER ${instr.user}`, (c) => void (c.User = instr.user));
    case "stopsignal":
      return meta(`STOPSIGNAL ${instr.signal}`, (c) => void (c.StopSignal = instr.signal));
    case "shell":
      return meta(`SHELL ${goList(instr.shell)}`, (c) => void (c.Shell = [...instr.shell]));
    case "onbuild":
      return meta(
        `ONBUILD ${instr.expression}`,
        (c) => void (c.OnBuild = [...(c.OnBuild ?? []), instr.expression]),
      );
    case "cmd": {
      const cmd = commandOf(instr.command, st.config.Shell);
      st.cmdSet = true;
      return meta(`CMD ${goQuoteList(cmd)}`, (c) => void (c.Cmd = cmd));
    }
    case "entrypoint": {
      const ep = commandOf(instr.command, st.config.Shell);
      const keepCmd = st.cmdSet;
      return meta(`ENTRYPOINT ${goQuoteList(ep)}`, (c) => {
        c.Entrypoint = ep;
        if (!keepCmd) c.Cmd = null;
      });
    }
    case "healthcheck": {
      const h = instr.health;
      const hc =
        h.type === "none"
          ? { Test: ["NONE"] }
          : {
              Test: h.test,
              ...(h.interval ? { Interval: h.interval } : {}),
              ...(h.timeout ? { Timeout: h.timeout } : {}),
              ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
              ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
              ...(h.retries ? { Retries: h.retries } : {}),
            };
      const old = st.config.Healthcheck?.Test;
      if (old !== undefined && old.length > 0 && old[0] !== "NONE")
        d.emit({ type: "notice", text: buildMessages.overridingHealthcheck(old) });
      return meta(healthcheckText(hc), (c) => void (c.Healthcheck = hc));
    }
    case "arg": {
      const parts: string[] = [];
      for (const a of instr.args) {
        let value: string | undefined;
        if (Object.hasOwn(d.buildArgs, a.name)) {
          value = d.buildArgs[a.name];
          d.consumed.add(a.name);
        } else value = a.defaultValue ?? d.globalArgs.get(a.name);
        st.args.set(a.name, value);
        parts.push(a.defaultValue !== undefined ? `${a.name}=${a.defaultValue}` : a.name);
      }
      return meta(`ARG ${parts.join(" ")}`, () => undefined);
    }
    case "workdir": {
      const dir = joinWorkdir(st.config.WorkingDir, instr.path);
      const config = { ...structuredClone(st.config), WorkingDir: dir };
      return d.exec
        .step(
          st,
          {
            cmd: nopFileCmd(`WORKDIR ${dir}`),
            config,
            announce: true,
            work: async (root) => void (await mkdirInRoot(root, dir)),
          },
          d.emit,
        )
        .then(() => void (st.config = config));
    }
    case "run":
      return runStep(d, st, instr);
    case "copy":
    case "add":
      return transferStep(d, st, instr);
  }
}

async function commitMeta(d: DispatchContext, st: StageState, comment: string, config: ContainerConfig) {
  await d.exec.step(st, { cmd: nopCmd(comment), config, announce: true }, d.emit);
  st.config = config;
}

/** Where BuildKit binds a `#!` heredoc script (and so where its `$0` points). */
const pipesDir = "/dev/pipes";

interface RunCommand {
  /** The process's argv. */
  argv: string[];
  /** The history text and cache key's command (the script's text is in it). */
  cmd: string[];
  /** A `#!` heredoc: its file name and content, bound executable at /dev/pipes/<name>. */
  script?: { name: string; content: string };
}

/**
 * RUN's command. A heredoc-only line runs the heredoc as the shell's script; when the heredoc
 * starts with `#!`, it runs as an executable file by its own interpreter (BuildKit's rule).
 */
function runCommand(instr: RunInstruction, shell: string[] | undefined): RunCommand {
  if (instr.command.form === "exec") return { argv: [...instr.command.args], cmd: [...instr.command.args] };
  const line = instr.command.command;
  const only = instr.heredocs[0];
  if (instr.heredocs.length === 1 && only && /^<<-?\s*["']?[A-Za-z0-9_]+["']?\s*$/.test(line.trim())) {
    const cmd = commandOf({ form: "shell", command: only.content }, shell);
    if (!only.content.startsWith("#!")) return { argv: cmd, cmd };
    if (!/^[A-Za-z0-9_.-]+$/.test(only.name))
      throw invalid(`invalid heredoc name as a file name: ${only.name}`);
    return { argv: [`${pipesDir}/${only.name}`], cmd, script: { name: only.name, content: only.content } };
  }
  let text = line;
  for (const h of instr.heredocs) text += `\n${h.raw}${h.name}`;
  const cmd = commandOf({ form: "shell", command: text }, shell);
  return { argv: cmd, cmd };
}

/** Writes a `#!` heredoc script into the build's scratch dir and returns its bind mount. */
async function scriptMount(
  d: DispatchContext,
  script: { name: string; content: string },
): Promise<MountSpec> {
  const dir = `${d.scratchDir}/script-${newHexId().slice(0, 12)}`;
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/${script.name}`, script.content, { mode: 0o755 });
  await chmod(`${dir}/${script.name}`, 0o755);
  return { type: "bind", source: dir, target: pipesDir, readOnly: true, propagation: "rprivate" };
}

async function runStep(d: DispatchContext, st: StageState, instr: RunInstruction): Promise<void> {
  if (instr.devices.length > 0) throw notImplemented("RUN --device is not supported by the classic builder");
  const rc = runCommand(instr, st.config.Shell);
  const args = runArgs(st, d.buildArgs);
  const network = instr.network === "default" ? d.exec.opts.networkMode : instr.network;
  if (rc.argv.length === 0) throw invalid("RUN requires at least one argument");
  const scope = expansionScope(st);
  const prepared = await prepareRunMounts(d, instr.mounts, st.config.WorkingDir ?? "/", (w) =>
    expandWord(w, scope, { escapeChar: d.escapeChar }),
  );
  const mounts = [...prepared.mounts];
  if (rc.script !== undefined) mounts.push(await scriptMount(d, rc.script));
  await prepared.hold(() =>
    d.exec.step(
      st,
      {
        cmd: runCmdWithArgs(args.history, rc.cmd),
        config: structuredClone(st.config),
        announce: true,
        run: {
          argv: rc.argv,
          env: [...args.env, ...prepared.env],
          network,
          privileged: instr.security === "insecure",
          mounts,
        },
        ...(prepared.cacheExtra !== "" ? { cacheExtra: prepared.cacheExtra } : {}),
      },
      d.emit,
    ),
  );
}
