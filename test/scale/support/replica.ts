import type { Service } from "@token-broker/service-runner";
import { type ServiceProcess, spawnService } from "@token-broker/testing";

/**
 * One replica of a service: its production entry point as a process of its own, always on
 * the same port (the load balancer's configuration names it), stopped and started again.
 */
export class Replica {
  readonly name: string;
  readonly service: Service;
  readonly port: number;
  private readonly env: NodeJS.ProcessEnv;
  private process: ServiceProcess | undefined;

  constructor(options: {
    name: string;
    service: Service;
    port: number;
    env: NodeJS.ProcessEnv;
  }) {
    this.name = options.name;
    this.service = options.service;
    this.port = options.port;
    this.env = options.env;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and resolves once it listens. */
  async start(): Promise<void> {
    this.process = spawnService(this.service, { ...this.env, PORT: String(this.port) });
    await this.process.listening();
  }

  /** SIGTERM, as an orchestrator stops a replica: resolves with the exit once it ends. */
  async stop() {
    return this.signal("SIGTERM");
  }

  /** SIGKILL: the replica dies with whatever it had under way. */
  async kill() {
    return this.signal("SIGKILL");
  }

  /** What the process wrote so far (its JSON log lines). */
  output(): string {
    return this.process?.output() ?? "";
  }

  private async signal(signal: NodeJS.Signals) {
    const running = this.process;
    if (running === undefined) throw new Error(`${this.name} is not running`);
    this.process = undefined;
    if (running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill(signal);
    }
    return running.exited();
  }
}
