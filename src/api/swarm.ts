/**
 * Swarm mode and plugins. Berth is a single-host engine: it answers as a
 * Docker node outside any swarm does (503 for manager-only endpoints), and
 * refuses to create a swarm with 501. It has no plugins, so every plugin name
 * is unknown.
 */
import { notFound, notImplemented, unavailable } from "../engine/errors.js";
import { notSwarmManager } from "../engine/messages.js";
import type { Route } from "./router.js";

const notManager = async () => {
  throw unavailable(notSwarmManager);
};
const noSwarmMode = async () => {
  throw notImplemented("Swarm mode is not supported by Berth: it runs containers on this host only");
};
const noPlugins = async () => {
  throw notImplemented("Berth does not support engine plugins");
};

export function swarmRoutes(): Route[] {
  const managerOnly = ["/swarm", "/swarm/unlockkey", "/services", "/nodes", "/tasks", "/secrets", "/configs"];
  return [
    ...managerOnly.map((path): Route => ({ method: "GET", path, handler: notManager })),
    { method: "GET", path: "/services/{id}", handler: notManager },
    { method: "GET", path: "/nodes/{id}", handler: notManager },
    { method: "GET", path: "/tasks/{id}", handler: notManager },
    { method: "GET", path: "/secrets/{id}", handler: notManager },
    { method: "GET", path: "/configs/{id}", handler: notManager },
    { method: "POST", path: "/services/create", handler: notManager },
    { method: "POST", path: "/secrets/create", handler: notManager },
    { method: "POST", path: "/configs/create", handler: notManager },
    { method: "POST", path: "/swarm/init", handler: noSwarmMode },
    { method: "POST", path: "/swarm/join", handler: noSwarmMode },
    { method: "POST", path: "/swarm/leave", handler: notManager },
    { method: "GET", path: "/plugins", handler: async (ctx) => ctx.json(200, []) },
    { method: "POST", path: "/plugins/pull", handler: noPlugins },
    {
      method: "GET",
      path: "/plugins/{name*}/json",
      // No plugin exists, so any name is unknown: 404 lets `docker inspect X` try the next type.
      handler: async (ctx) => {
        throw notFound(`plugin "${ctx.param("name")}" not found`);
      },
    },
  ];
}
