/**
 * The typed Dockerfile instructions. Word fields hold the text as written (quotes and `$vars`
 * kept) because Docker expands them only when the step runs, with the ENV and ARG values of
 * that moment: call expandInstruction (or expandWord) then. Exec-form arrays are final.
 */

/** What every instruction carries. */
export interface Common {
  /** The keyword as written (`run`, `Copy`…); `kind` is its lower-case form. */
  keyword: string;
  /** The instruction's text, continuations joined and trimmed (for `Step N/M : …`). */
  original: string;
  /** 1-based first and last physical line (heredoc bodies included). */
  startLine: number;
  endLine: number;
}

/** RUN / CMD / ENTRYPOINT / HEALTHCHECK command: exec form (JSON array) or shell form. */
export type CommandLine = { form: "exec"; args: string[] } | { form: "shell"; command: string };

export interface KeyValue {
  key: string;
  value: string;
  /** Written as `KEY value` (legacy form, one pair, value is the rest of the line). */
  legacy: boolean;
}

/** A heredoc body attached to RUN, or used as a COPY/ADD source. */
export interface Heredoc {
  name: string;
  fd: number;
  /** `<<-`: `content` has the leading tabs removed; `raw` keeps them. */
  chomp: boolean;
  /** False when the delimiter was quoted: `$vars` in the body stay as written. */
  expand: boolean;
  content: string;
  raw: string;
}

export interface FromInstruction extends Common {
  kind: "from";
  /** Base image or stage, unexpanded (only ARGs declared before the first FROM apply). */
  image: string;
  /** `AS name`, lower-cased as BuildKit stores it. */
  stageName?: string;
  platform?: string;
}

export interface RunInstruction extends Common {
  kind: "run";
  command: CommandLine;
  heredocs: Heredoc[];
  /** Raw `--mount` values; parseRunMount reads them once expanded. */
  mounts: string[];
  network: "default" | "none" | "host";
  security: "sandbox" | "insecure";
  devices: string[];
  /** Flags given on the line, for history and checks. */
  flagsUsed: string[];
}

export interface CmdInstruction extends Common {
  kind: "cmd";
  command: CommandLine;
}

export interface EntrypointInstruction extends Common {
  kind: "entrypoint";
  command: CommandLine;
}

export interface LabelInstruction extends Common {
  kind: "label";
  labels: KeyValue[];
}

export interface EnvInstruction extends Common {
  kind: "env";
  env: KeyValue[];
}

export interface MaintainerInstruction extends Common {
  kind: "maintainer";
  maintainer: string;
}

export interface ExposeInstruction extends Common {
  kind: "expose";
  /** Port words, sorted as BuildKit sorts them; expansion may split one into several. */
  ports: string[];
}

interface Transfer extends Common {
  /** Path or URL sources (heredoc sources are in sourceContents). */
  sources: string[];
  sourceContents: Heredoc[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
  /** Written as a JSON array. */
  json: boolean;
}

export interface AddInstruction extends Transfer {
  kind: "add";
  keepGitDir?: boolean;
  checksum?: string;
  unpack?: boolean;
}

export interface CopyInstruction extends Transfer {
  kind: "copy";
  /** `--from`: a stage name, a stage index or an image reference (never expanded). */
  from?: string;
  parents: boolean;
}

export interface VolumeInstruction extends Common {
  kind: "volume";
  paths: string[];
}

export interface UserInstruction extends Common {
  kind: "user";
  user: string;
}

export interface WorkdirInstruction extends Common {
  kind: "workdir";
  path: string;
}

export interface ArgDeclaration {
  name: string;
  /** Default value as written; undefined for `ARG name`. */
  defaultValue?: string;
}

export interface ArgInstruction extends Common {
  kind: "arg";
  args: ArgDeclaration[];
}

export interface OnbuildInstruction extends Common {
  kind: "onbuild";
  /** The trigger as stored in the image's OnBuild list (heredoc bodies appended). */
  expression: string;
  /** The wrapped instruction's keyword, upper-cased (RUN, COPY…). */
  trigger: string;
}

export interface StopsignalInstruction extends Common {
  kind: "stopsignal";
  signal: string;
}

/** Docker's Healthcheck config; durations in nanoseconds, 0 meaning "inherit/default". */
export type HealthcheckSpec =
  | { type: "none" }
  | {
      type: "cmd";
      /** `["CMD", …]` (exec form) or `["CMD-SHELL", "…"]`. */
      test: string[];
      interval: number;
      timeout: number;
      startPeriod: number;
      startInterval: number;
      retries: number;
    };

export interface HealthcheckInstruction extends Common {
  kind: "healthcheck";
  health: HealthcheckSpec;
}

export interface ShellInstruction extends Common {
  kind: "shell";
  shell: string[];
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | LabelInstruction
  | EnvInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | AddInstruction
  | CopyInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type InstructionKind = Instruction["kind"];
