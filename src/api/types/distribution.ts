/** Wire types of the registry endpoints: /auth, /images/search, /distribution/{name}/json. */

/** The body of POST /auth, and the JSON inside X-Registry-Auth (base64url). */
export interface AuthConfigWire {
  username?: string;
  password?: string;
  /** base64("user:password"), as in the CLI's config.json. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface AuthResponseWire {
  Status: string;
  IdentityToken: string;
}

export interface SearchResultWire {
  star_count: number;
  is_official: boolean;
  name: string;
  is_automated: boolean;
  description: string;
}

export interface PlatformWire {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
  features?: string[];
}

export interface DistributionInspectWire {
  Descriptor: {
    mediaType: string;
    digest: string;
    size: number;
    urls?: string[];
    annotations?: Record<string, string>;
    platform?: PlatformWire;
  };
  Platforms: PlatformWire[];
}
