/**
 * The one place that builds every service and hands each its dependencies.
 * No registry, no locator: reading this file tells what uses what.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Route } from "../api/router.js";
import { containerRoutes } from "../api/containers/index.js";
import { toSummary } from "../api/containers/wire.js";
import { containerArchiveRoutes } from "../api/containers/archive.js";
import { containerExtraRoutes } from "../api/containers/extras.js";
import { buildRoutes, toBuildCacheWire } from "../api/build.js";
import { imageRoutes } from "../api/images/routes.js";
import { distributionRoutes, pullImageHandler } from "../api/distribution.js";
import { networkRoutes } from "../api/networks.js";
import { swarmRoutes } from "../api/swarm.js";
import { systemRoutes } from "../api/system.js";
import { toVolumesDiskUsageWire, volumeRoutes } from "../api/volumes.js";
import {
  ContainerService,
  ContainerStore,
  containersSchema,
  realHostFacts,
} from "../engine/containers/index.js";
import { ConmonRuntime } from "../engine/containers/runtime/index.js";
import { ContainerExtras } from "../engine/containers/extras.js";
import { runCommand } from "../engine/host/command.js";
import { Runc } from "../engine/host/runc.js";
import { LocalContentStore } from "../engine/content/index.js";
import { EventBus } from "../engine/events/index.js";
import { runtimeVersions } from "../engine/host/versions.js";
import { ImageService, imagesSchema, openUrlSource } from "../engine/images/index.js";
import { DistributionService, distributionSchema } from "../engine/distribution/index.js";
import { BuildService, buildSchema } from "../engine/build/index.js";
import { layersSchema, openLayerStore } from "../engine/layers/index.js";
import { log } from "../engine/log.js";
import { realIp } from "../engine/host/ip.js";
import { realIptables } from "../engine/host/iptables.js";
import { realNetns } from "../engine/host/netns.js";
import {
  NetworkService,
  bipPool,
  hostUpstreams,
  networkSchemas,
  readHostRoutes,
} from "../engine/network/index.js";
import { openDatabase, type Db } from "../engine/store/index.js";
import { berthVersion, SystemService } from "../engine/system/index.js";
import { NativeMounter } from "../engine/host/mount.js";
import { nativeSys } from "../engine/host/native.js";
import { VolumeService, volumesSchema } from "../engine/volumes/index.js";
import { containerNetworking } from "./containerNetworking.js";
import type { DaemonConfig } from "./config.js";

export interface Engine {
  routes: Route[][];
  db: Db;
  /** Stops background work; containers keep running under conmon. */
  shutdown(): Promise<void>;
}

export async function wireEngine(config: DaemonConfig): Promise<Engine> {
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(config.execRoot, { recursive: true, mode: 0o711 });
  const db = openDatabase(join(config.dataRoot, "berth.db"), [
    layersSchema,
    imagesSchema,
    containersSchema,
    ...networkSchemas,
    volumesSchema,
    distributionSchema,
    buildSchema,
  ]);
  const content = await LocalContentStore.open(join(config.dataRoot, "content"));
  const swept = await content.sweepIngests();
  if (swept > 0) log.info(`removed ${swept} half-written blobs`);
  const events = new EventBus();
  if (config.ipForward && realIp.readSysctl("net/ipv4/ip_forward") !== "1")
    realIp.setSysctl("net/ipv4/ip_forward", "1");
  const bip = config.bip !== undefined ? bipPool(config.bip) : undefined;
  const network = new NetworkService({
    db,
    ip: realIp,
    netns: realNetns,
    iptables: realIptables,
    iptablesEnabled: config.iptables,
    execRoot: config.execRoot,
    chainPrefix: config.iptablesChainPrefix,
    defaultBridge: config.bridgeName,
    ...(bip ? { defaultSubnet: bip.subnet, defaultGateway: bip.gateway } : {}),
    addressPools: config.defaultAddressPools,
    // 127.0.0.1:port reaches containers by DNAT, without a proxy process per port.
    localhost: "route_localnet",
    hostRoutes: readHostRoutes,
    upstreams: () => hostUpstreams(),
    events,
  });
  await network.init();
  const layers = await openLayerStore({ root: join(config.dataRoot, "overlay2"), db });
  await layers.sweep();
  const images = await ImageService.open({
    db,
    content,
    layers,
    events,
    users: { containersUsingImage: (id) => containers.containersUsingImage(id) },
    tmpDir: join(config.dataRoot, "tmp", "images"),
    engineVersion: berthVersion,
  });

  const runtimeDir = join(config.execRoot, "runtime");
  const runtime = new ConmonRuntime({ stateDir: runtimeDir });
  const volumes = await VolumeService.open({
    db,
    root: join(config.dataRoot, "volumes"),
    events,
    users: { containersUsingVolume: (name) => containers.containersUsingVolume(name) },
    mounter: new NativeMounter(),
    copySys: nativeSys(),
  });

  const containers = new ContainerService(new ContainerStore(db), {
    images,
    layers: layers.rw,
    runtime,
    events,
    host: realHostFacts,
    root: join(config.dataRoot, "containers"),
    initPath: "/usr/bin/tini-static",
    networking: containerNetworking(network),
    volumes,
    defaultNetwork: "bridge",
    mounter: new NativeMounter(),
  });
  await containers.recover();
  // Mount holders of containers that ended while the daemon was down.
  await volumes.releaseStale(
    containers
      .list()
      .filter((c) => ["running", "paused", "restarting"].includes(c.state.status))
      .map((c) => c.id),
  );
  const extras = new ContainerExtras({
    containers,
    layers: layers.rw,
    layerStore: layers,
    images,
    events,
    runtime,
    // The driver's runc --root (runtime/layout.ts): `runc update` must see the same containers.
    updateResources: (id, r) => new Runc("runc", join(runtimeDir, "runc")).update(id, r),
    ps: async (args) => {
      try {
        return (await runCommand(["ps", ...args])).stdout;
      } catch (err) {
        const tail = (err as { stderrTail?: string }).stderrTail ?? "";
        throw new Error(tail.split("\n")[0] || (err as Error).message);
      }
    },
  });

  const distribution = new DistributionService({
    db,
    images,
    layers,
    content,
    tmpDir: join(config.dataRoot, "tmp", "distribution"),
    registries: { insecureRegistries: config.insecureRegistries, mirrors: config.registryMirrors },
  });

  const builds = new BuildService(
    {
      images,
      containers,
      layers,
      tmpDir: join(config.dataRoot, "tmp", "build"),
      cacheMountsDir: join(config.dataRoot, "build", "cache-mounts"),
      openUrl: openUrlSource,
      engineVersion: berthVersion,
      pull: (opts, emit) => distribution.pull(opts, emit),
    },
    db,
  );

  const system = new SystemService(
    {
      dataRoot: config.dataRoot,
      debug: config.debug,
      runtimes: ["runc"],
      defaultRuntime: config.defaultRuntime,
    },
    {
      containerCounts: () => containers.counts(),
      imageCount: () => images.count(),
      eventListeners: () => 0,
    },
  );

  const routes: Route[][] = [
    systemRoutes({
      info: () => system.info(),
      subscribeEvents: (opts) => events.subscribe(opts),
      componentVersions: () => runtimeVersions(config.defaultRuntime),
    }),
    imageRoutes(images, {
      openUrl: openUrlSource,
      pullImage: pullImageHandler(distribution),
      volumesDiskUsage: async () => toVolumesDiskUsageWire(await volumes.diskUsage()),
      containersDiskUsage: async () =>
        Promise.all(
          containers
            .list()
            .map(async (c) =>
              toSummary(c, { sizeRw: await containers.sizeRw(c.id), network: containers.networkState(c) }),
            ),
        ),
      buildCacheDiskUsage: () => builds.records().map(toBuildCacheWire),
    }),
    buildRoutes(builds),
    containerRoutes(containers, images),
    containerArchiveRoutes(extras),
    containerExtraRoutes(extras),
    networkRoutes(network, {
      connectContainer: (ref, net, opts) => containers.connectNetwork(ref, net, opts),
      disconnectContainer: (ref, net, force) => containers.disconnectNetwork(ref, net, force),
    }),
    volumeRoutes(volumes),
    swarmRoutes(),
    distributionRoutes(distribution),
  ];

  return {
    routes,
    db,
    shutdown: async () => {
      // Builds in progress are cancelled first: their step containers are killed and removed.
      await builds.close();
      // While the store is open: pending restarts dropped, running health probes killed and awaited.
      await containers.healing.close();
      // Removals answered already finish their unmounts and file deletions.
      await containers.settle();
      // Bridges and rules stay for running containers, as with dockerd, unless asked (tests).
      await network.close();
      if (config.cleanupNetworkOnExit) await network.removeHostState();
      db.close();
    },
  };
}
