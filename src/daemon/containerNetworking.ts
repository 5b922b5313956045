/**
 * The network service in the shape the container service asks for
 * (ContainerNetworking): the one adapter between the two modules.
 */
import type { ContainerNetworking, EndpointState } from "../engine/containers/index.js";
import type { Endpoint, NetworkService } from "../engine/network/index.js";

export function containerNetworking(network: NetworkService): ContainerNetworking {
  const state = (e: Endpoint): EndpointState => {
    const n = network.list().find((x) => x.id === e.networkId);
    const userDefined = n?.bridge !== undefined && !n.bridge.isDefault;
    return {
      networkId: e.networkId,
      networkName: n?.name ?? "",
      endpointId: e.endpointId,
      aliases: e.aliases,
      ...(e.ip !== undefined ? { ip: e.ip } : {}),
      ...(e.prefixLen !== undefined ? { prefixLen: e.prefixLen } : {}),
      ...(e.mac !== undefined ? { mac: e.mac } : {}),
      ...(e.gateway !== undefined ? { gateway: e.gateway } : {}),
      // What the network's DNS answers for (see NetworkService.attach).
      ...(userDefined ? { dnsNames: [e.containerName, e.containerId.slice(0, 12), ...e.aliases] } : {}),
    };
  };
  return {
    resolve: (ref) => {
      const n = network.resolve(ref);
      return { id: n.id, name: n.name, driver: n.driver };
    },
    join: async (c, cfg) => {
      const ep = await network.connect(c.id, cfg.id || cfg.name, {
        containerName: c.name,
        aliases: cfg.aliases,
        ...(cfg.ipv4 !== undefined ? { ip: cfg.ipv4 } : {}),
        ...(cfg.mac !== undefined ? { mac: cfg.mac } : {}),
        bridgePortLater: true,
      });
      return {
        ...state(ep),
        netnsPath: ep.netnsPath,
        ...(ep.dnsServer !== undefined ? { dnsServer: ep.dnsServer } : {}),
        ready: ep.ready,
      };
    },
    leave: (id, networkId) => network.disconnect(id, networkId),
    publish: (id, ports) => network.publish(id, ports),
    detach: (id) => network.releaseSandbox(id),
    endpoints: (id) => network.containerEndpoints(id).map(state),
    published: (id) => network.published(id),
    netnsPath: (id) => network.netnsPath(id),
    hostGateway: () => network.list().find((n) => n.bridge?.isDefault)?.bridge?.gateway,
  };
}
