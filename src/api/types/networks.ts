/** Wire types of the network endpoints (Docker's field names). */

export interface IpamConfigWire {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface IpamWire {
  Driver: string;
  Options: Record<string, string> | null;
  Config: IpamConfigWire[];
}

/** One container on the network, as inspect shows it. */
export interface NetworkContainerWire {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  /** "172.18.0.2/16". */
  IPv4Address: string;
  IPv6Address: string;
}

/** GET /networks/{id} and, with Containers empty, GET /networks. */
export interface NetworkWire {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv4?: boolean;
  EnableIPv6: boolean;
  IPAM: IpamWire;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, NetworkContainerWire>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** POST /networks/create. */
export interface NetworkCreateBody {
  Name?: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string } | null;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: IpamConfigWire[] | null;
    Options?: Record<string, string> | null;
  } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

export interface EndpointSettingsWire {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

/** POST /networks/{id}/connect. */
export interface NetworkConnectBody {
  Container?: string;
  EndpointConfig?: EndpointSettingsWire | null;
}

/** POST /networks/{id}/disconnect. */
export interface NetworkDisconnectBody {
  Container?: string;
  Force?: boolean;
}

export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}
