/** Exec endpoints: create, start (detached, or attached over a hijacked connection), inspect, resize. */
import type { ExecCreateBody, ExecInspectResponse, ExecStartBody } from "../api/types/containers.js";
import type { Transport, Upgraded } from "./transport.js";

export class ExecClient {
  constructor(private readonly t: Transport) {}

  /** POST /containers/{ref}/exec, with docker's body (it sends Detach too). */
  create(ref: string, body: ExecCreateBody & { Detach?: boolean }): Promise<{ Id: string }> {
    return this.t.json("POST", `/containers/${encodeURIComponent(ref)}/exec`, { body });
  }

  /** Detached start: the daemon answers at once. */
  async startDetached(id: string, body: ExecStartBody): Promise<void> {
    const res = await this.t.request("POST", `/exec/${encodeURIComponent(id)}/start`, {
      body: { ...body, Detach: true },
    });
    res.body.resume();
  }

  /** Attached start: the JSON body, then the connection carries stdin and output. */
  start(id: string, body: ExecStartBody): Promise<Upgraded> {
    return this.t.upgrade("POST", `/exec/${encodeURIComponent(id)}/start`, {
      body: { ...body, Detach: false },
    });
  }

  inspect(id: string): Promise<ExecInspectResponse> {
    return this.t.json("GET", `/exec/${encodeURIComponent(id)}/json`);
  }

  async resize(id: string, size: { height: number; width: number }): Promise<void> {
    const res = await this.t.request("POST", `/exec/${encodeURIComponent(id)}/resize`, {
      query: { h: size.height, w: size.width },
    });
    res.body.resume();
  }
}
