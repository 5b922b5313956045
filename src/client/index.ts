/**
 * client: a typed Engine API client, used by cli/ and compose/.
 * Glossary: the *transport* speaks HTTP to one endpoint; each resource has
 * its own client object with the same verbs as the engine.
 */
import { BuildClient } from "./build.js";
import { DistributionClient } from "./distribution.js";
import { ContainersClient } from "./containers.js";
import { ExecClient } from "./exec.js";
import { ContainerExtrasClient } from "./containerExtras.js";
import { ImagesClient } from "./images.js";
import { NetworksClient } from "./networks.js";
import { SystemClient } from "./system.js";
import { Transport, parseEndpoint } from "./transport.js";
import { VolumesClient } from "./volumes.js";

export { ApiError, ConnectionError } from "./errors.js";
export { Transport, parseEndpoint, jsonLines, readAll, type Endpoint, type Upgraded } from "./transport.js";
export type { AttachOptions, LogsOptions, StopOptions, WaitCondition, Waiter } from "./containers.js";

export class EngineClient {
  readonly system: SystemClient;
  readonly images: ImagesClient;
  readonly distribution: DistributionClient;
  readonly volumes: VolumesClient;
  readonly networks: NetworksClient;
  /** cp, top, diff, export, commit, stats, update. */
  readonly containerExtras: ContainerExtrasClient;
  readonly containers: ContainersClient;
  readonly exec: ExecClient;
  readonly build: BuildClient;

  constructor(readonly transport: Transport) {
    this.system = new SystemClient(transport);
    this.images = new ImagesClient(transport);
    this.distribution = new DistributionClient(transport);
    this.volumes = new VolumesClient(transport);
    this.networks = new NetworksClient(transport);
    this.containerExtras = new ContainerExtrasClient(transport);
    this.containers = new ContainersClient(transport);
    this.exec = new ExecClient(transport);
    this.build = new BuildClient(transport);
  }

  static forHost(host: string): EngineClient {
    return new EngineClient(new Transport(parseEndpoint(host)));
  }
}
