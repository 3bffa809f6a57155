/**
 * The SDK's middleware stack, its initialize step only: what the call recorder
 * (adapters/aws-call-recorder.ts), the benchmarks' meters (bench/lib/meters.ts) and tests hook
 * into. A middleware sees the command's input as the caller built it (document shape for
 * DynamoDB) and its output as the caller will get it: `mw(next, context)(args) → { output }`.
 */

export interface HandlerArgs {
  input: Record<string, unknown>;
}
export interface HandlerResult {
  output: Record<string, unknown>;
}
export type Handler = (args: HandlerArgs) => Promise<HandlerResult>;
export interface HandlerContext {
  /** The wire operation + "Command", as the SDK names it: GetItemCommand, PutObjectCommand… */
  readonly commandName: string;
  readonly clientName: string;
}
export type Middleware = (next: Handler, context: HandlerContext) => Handler;

export interface AddOptions {
  readonly step: 'initialize';
  readonly name: string;
  readonly priority?: 'high' | 'normal' | 'low';
}

const ORDER = { high: 0, normal: 1, low: 2 } as const;

export class MiddlewareStack {
  private entries: { middleware: Middleware; name: string; priority: 0 | 1 | 2 }[] = [];

  add(middleware: Middleware, options: AddOptions): void {
    if (options.step !== 'initialize')
      throw new Error(
        `Only the initialize step is supported (adapters/aws/middleware.ts), not ${options.step}.`,
      );
    if (this.entries.some((e) => e.name === options.name))
      throw new Error(`Duplicate middleware name '${options.name}'`);
    this.entries.push({ middleware, name: options.name, priority: ORDER[options.priority ?? 'normal'] });
  }

  /** Removes the middleware of that name; whether there was one. */
  remove(name: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.name !== name);
    return this.entries.length !== before;
  }

  /** `terminal` wrapped in every middleware: high priority outermost, then in the order added. */
  resolve(terminal: Handler, context: HandlerContext): Handler {
    const ordered = [...this.entries].sort((a, b) => a.priority - b.priority);
    let handler = terminal;
    for (let i = ordered.length - 1; i >= 0; i--) handler = ordered[i]!.middleware(handler, context);
    return handler;
  }
}

/** A command as `send` takes it: ours, or the SDK's own (anything with `.input` named …Command). */
export interface CommandLike {
  readonly input: object;
}

/**
 * The SDK command name of a command object (its class's name; our own classes carry it as
 * `commandName`, which survives minification).
 */
export function commandNameOf(command: CommandLike): string {
  const own = (command as { commandName?: unknown }).commandName;
  if (typeof own === 'string') return own;
  const name = (command as object).constructor?.name ?? '';
  if (!name.endsWith('Command'))
    throw new TypeError(
      `Not a command: ${name || typeof command} (expected an object with .input, named …Command).`,
    );
  return name;
}
