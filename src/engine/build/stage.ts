/**
 * The state of one stage while it builds: the image it is on, the runConfig carried from step
 * to step, and its ARG scope (declared names, their values, which build args were used).
 */
import type { ChainId, DiffId } from "../ids.js";
import type { ContainerConfig, HistoryEntry, Image } from "../images/index.js";
import { runConfigOf } from "./runConfig.js";

/** The proxy ARGs Docker passes to RUN without a declaration, and keeps out of history. */
export const predefinedArgs = new Set([
  "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
  "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
]); // prettier-ignore

export interface StageState {
  index: number;
  /** "" until the stage has an image (scratch). */
  imageId: string;
  chainId: ChainId | undefined;
  diffIds: DiffId[];
  history: HistoryEntry[];
  config: ContainerConfig;
  /** CMD given in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  maintainer: string | undefined;
  /** Declared ARGs in scope, with their value (undefined: declared without one). */
  args: Map<string, string | undefined>;
}

/** The PATH dockerd adds to a stage whose base sets none (scratch, bare imports). */
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function stageFromImage(index: number, img: Image | undefined): StageState {
  const config = runConfigOf(img?.config.config);
  // moby's beginStage: a stage without PATH gets the OS default, before any instruction.
  if (!(config.Env ?? []).some((e) => e.startsWith("PATH=")))
    config.Env = [...(config.Env ?? []), defaultPath];
  return {
    index,
    imageId: img?.id ?? "",
    chainId: img?.chainId,
    diffIds: [...(img?.config.rootfs.diff_ids ?? [])],
    history: [...(img?.config.history ?? [])],
    config,
    cmdSet: false,
    maintainer: undefined,
    args: new Map(),
  };
}

/** Variables for expansion at this step: ARG values, then ENV (ENV wins). */
export function expansionScope(st: StageState): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of st.args) if (v !== undefined) m.set(k, v);
  for (const e of st.config.Env ?? []) {
    const eq = e.indexOf("=");
    if (eq < 0) m.set(e, "");
    else m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

/**
 * Build args a RUN sees: declared ARGs with a value, not shadowed by ENV, plus given proxy
 * args. `history` are the ones recorded in `|N a=b` (proxies only when declared).
 */
export function runArgs(
  st: StageState,
  buildArgs: Readonly<Record<string, string>>,
): { env: string[]; history: string[] } {
  const envKeys = new Set(
    (st.config.Env ?? []).map((e) => (e.includes("=") ? e.slice(0, e.indexOf("=")) : e)),
  );
  const env: string[] = [];
  const history: string[] = [];
  for (const [k, v] of st.args) {
    if (v === undefined || envKeys.has(k)) continue;
    env.push(`${k}=${v}`);
    history.push(`${k}=${v}`);
  }
  for (const k of Object.keys(buildArgs)) {
    if (!predefinedArgs.has(k) || st.args.has(k) || envKeys.has(k)) continue;
    env.push(`${k}=${buildArgs[k]}`);
  }
  return { env, history: history.sort() };
}
