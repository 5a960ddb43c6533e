import { Agent, Dispatcher } from "undici";

const REQUEST_ID = "x-request-id";

/**
 * The connection pool of the completion relay, for @fastify/reply-from: its requests carry
 * no abort signal, so one sent by an editor that goes away before the gateway answers would
 * run (and keep a model busy) until the gateway's answer. This pool gives each request the
 * signal registered for its `X-Request-Id` (the instance's own id of the editor's request).
 */
export class CancellableDispatcher extends Dispatcher {
  readonly #agent: Agent;
  readonly #signals = new Map<string, AbortSignal>();

  constructor(options: Agent.Options) {
    super();
    this.#agent = new Agent(options);
  }

  /** Requests sent with `X-Request-Id: requestId` are aborted with `signal`, until `release`. */
  register(requestId: string, signal: AbortSignal): () => void {
    this.#signals.set(requestId, signal);
    return () => this.#signals.delete(requestId);
  }

  override request<TOpaque = null>(
    options: Dispatcher.RequestOptions<TOpaque>,
    callback: (error: Error | null, data: Dispatcher.ResponseData<TOpaque>) => void,
  ): void;
  override request<TOpaque = null>(
    options: Dispatcher.RequestOptions<TOpaque>,
  ): Promise<Dispatcher.ResponseData<TOpaque>>;
  override request<TOpaque = null>(
    options: Dispatcher.RequestOptions<TOpaque>,
    callback?: (error: Error | null, data: Dispatcher.ResponseData<TOpaque>) => void,
  ): Promise<Dispatcher.ResponseData<TOpaque>> | undefined {
    const signal = this.#signals.get(requestIdOf(options.headers) ?? "");
    const withSignal = signal === undefined ? options : { ...options, signal };
    if (callback === undefined) return this.#agent.request(withSignal);
    this.#agent.request(withSignal, callback);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    return this.#agent.dispatch(options, handler);
  }

  override close(): Promise<void> {
    return this.#agent.close();
  }

  override destroy(): Promise<void> {
    return this.#agent.destroy();
  }
}

function requestIdOf(headers: Dispatcher.RequestOptions["headers"]): string | undefined {
  if (headers === null || headers === undefined || Array.isArray(headers)) return undefined;
  const value = (headers as Record<string, unknown>)[REQUEST_ID];
  return typeof value === "string" ? value : undefined;
}
