/**
 * Where the driver keeps its per-container files under its state dir:
 *
 *   <stateDir>/runc/                 the OCI runtime's --root
 *   <stateDir>/c/<id>/meta.json      what create was told (bundle, runtime, tty…)
 *   <stateDir>/c/<id>/pidfile        the container's init pid (written by runc)
 *   <stateDir>/c/<id>/conmon.pid     the monitor's pid
 *   <stateDir>/c/<id>/exit           exit code, written by conmon (--persist-dir)
 *   <stateDir>/c/<id>/oom            present when the OOM killer struck
 *   <stateDir>/c/<id>/exec/<execId>/ the same for one exec session, plus its
 *                                    process.json, attach socket and ctl FIFO
 *
 * conmon puts the container's attach socket and ctl/winsz FIFOs in the bundle
 * dir itself (that is where `--full-attach` binds).
 */
import { join } from "node:path";

export interface ContainerMeta {
  bundle: string;
  runtimePath: string;
  tty: boolean;
  openStdin: boolean;
  logPath: string;
}

export class Layout {
  constructor(readonly stateDir: string) {}

  get runcRoot(): string {
    return join(this.stateDir, "runc");
  }

  get containersDir(): string {
    return join(this.stateDir, "c");
  }

  dir(id: string): string {
    return join(this.containersDir, id);
  }

  meta(id: string): string {
    return join(this.dir(id), "meta.json");
  }

  pidfile(id: string): string {
    return join(this.dir(id), "pidfile");
  }

  conmonPidfile(id: string): string {
    return join(this.dir(id), "conmon.pid");
  }

  exitFile(id: string): string {
    return join(this.dir(id), "exit");
  }

  oomFile(id: string): string {
    return join(this.dir(id), "oom");
  }

  execDir(id: string, execId: string): string {
    return join(this.dir(id), "exec", execId);
  }
}

/** Container and exec IDs become path components and runc IDs: keep them to runc's alphabet. */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function isRuntimeId(s: string): boolean {
  return idPattern.test(s);
}
