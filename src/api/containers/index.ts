/**
 * The container endpoints: lifecycle (create…prune) and streams (attach,
 * logs, exec). One backend satisfies both roles.
 */
import type { ImageLookup } from "../../engine/images/types.js";
import type { Route } from "../router.js";
import { containerLifecycleRoutes, type ContainerLifecycleBackend } from "./lifecycle.js";
import { containerStreamRoutes, type ContainerStreamsBackend } from "./streams.js";

export type ContainersBackend = ContainerLifecycleBackend & ContainerStreamsBackend;

export function containerRoutes(backend: ContainersBackend, images: ImageLookup): Route[] {
  return [...containerLifecycleRoutes(backend, images), ...containerStreamRoutes(backend)];
}
