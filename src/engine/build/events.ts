/**
 * What a build reports while it runs. api/ turns these into the classic builder's JSON lines
 * (`Step 1/5 : …`, ` ---> Running in …`); the CLI draws them. The engine formats no text here.
 */
import type { DistributionEvent } from "../distribution/index.js";

export type BuildEvent =
  /** `Step n/total : <instruction as written>`. */
  | { type: "step"; n: number; total: number; text: string }
  /** ` ---> <short id>`: the image a step (or FROM) ended on. */
  | { type: "image"; id: string }
  | { type: "cache-hit" }
  /** A container was created for the step (` ---> Running in <short id>`). */
  | { type: "container"; id: string }
  | { type: "container-removed"; id: string }
  /** Bytes a RUN step's process wrote. */
  | { type: "output"; stream: "stdout" | "stderr"; data: Buffer }
  /** A line the builder itself prints (`Note: overriding previous HEALTHCHECK: …`). */
  | { type: "notice"; text: string }
  /** `# Executing N build trigger(s)`. */
  | { type: "triggers"; count: number }
  /** A non-fatal finding (`[Warning] One or more build-args [x] were not consumed`). */
  | { type: "unused-args"; names: string[] }
  /** Progress of pulling a base image (FROM of an image not here, or `--pull`). */
  | { type: "pull"; event: DistributionEvent }
  /** The final image. */
  | { type: "built"; id: string }
  | { type: "tagged"; ref: string };

export type BuildEmit = (e: BuildEvent) => void;
