/**
 * Docker's texts for network errors (libnetwork's ipamapi, bridge driver and
 * port allocator), kept together so tests check the wording in one place.
 * They belong with engine/messages.ts; kept here to stay inside this folder.
 */
export const netMessages = {
  addressInUse: () => "Address already in use",
  addressOutOfRange: () => "Requested address is out of range",
  poolOverlaps: () => "Pool overlaps with other one on this address space",
  noDefaultPool: () =>
    "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
  poolExhausted: (name: string, id: string) =>
    `no available IPv4 addresses on this network's address pools: ${name} (${id})`,
  staticIpNeedsUserSubnet: () =>
    "user specified IP address is supported only when connecting to networks with user configured subnets",
  gatewayOutsideSubnet: (gw: string) => `no matching subnet for gateway ${gw}`,
  rangeOutsideSubnet: (range: string) => `no matching subnet for range ${range}`,
  portAllocated: (hostIp: string, port: number) =>
    `Bind for ${hostIp}:${port} failed: port is already allocated`,
  portBusyOnHost: (hostIp: string, port: number, reason: string) =>
    `failed to bind host port for ${hostIp}:${port}: ${reason}`,
  noFreePort: () => "no free host port in the ephemeral port range",
  networkExists: (name: string) => `network with name ${name} already exists`,
  // Docker's text ends with a space.
  predefinedOperation: (name: string) => `operation is not permitted on predefined ${name} network `,
  predefinedNetwork: (name: string) => `${name} is a pre-defined network and cannot be removed`,
  activeEndpoints: (name: string, id: string) =>
    `error while removing network: network ${name} id ${id} has active endpoints`,
  alreadyConnected: (container: string, network: string) =>
    `endpoint with name ${container} already exists in network ${network}`,
  notConnected: (container: string, network: string) =>
    `container ${container} is not connected to network ${network}`,
  driverNotSupported: (driver: string) => `plugin "${driver}" not found`,
  hostNetworkExclusive: () =>
    "container cannot be disconnected from host network or connected to host network",
} as const;
