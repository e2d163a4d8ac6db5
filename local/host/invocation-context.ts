import { randomUUID } from 'node:crypto';
import type {
  EffectiveFunctionOptions,
  FunctionInput,
  FunctionOutput,
  HttpFunctionOptions,
  InvocationContext,
} from '@azure/functions';
import functions from '@azure/functions';

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error';

export interface InvocationContextInit {
  /** Default: a random UUID, made on first read (most invocations never read it). */
  invocationId?: string;
  functionName: string;
  /** The function's registration; `context.options` (trigger and return binding) is derived from it on first read. */
  functionOptions: HttpFunctionOptions;
  /** The host's log, shared by every invocation: nothing is made per request for it. */
  log: InvocationLog;
}

export type InvocationLog = (functionName: string, level: LogLevel, args: unknown[]) => void;

/** What `app.http` makes of a function's options (trigger and `$return` binding; binding names are hashes of them). */
function effectiveOptions(options: HttpFunctionOptions): EffectiveFunctionOptions {
  const { authLevel, methods, route } = options;
  return {
    trigger: options.trigger ?? functions.trigger.http({ authLevel, methods, route }),
    return: options.return ?? functions.output.http({}),
    extraInputs: options.extraInputs ?? [],
    extraOutputs: options.extraOutputs ?? [],
  };
}

/** Extra inputs or outputs by name, as the library keeps them (none for HTTP functions here, but settable). */
class ExtraBindings {
  readonly #values = new Map<string, unknown>();

  get(inputOrName: FunctionInput | string): unknown {
    return this.#values.get(typeof inputOrName === 'string' ? inputOrName : inputOrName.name);
  }

  set(inputOrName: FunctionInput | FunctionOutput | string, value: unknown): void {
    this.#values.set(typeof inputOrName === 'string' ? inputOrName : inputOrName.name, value);
  }
}

/**
 * The invocation context a function receives: what the library's `InvocationContext` offers, as plain fields. The
 * library's class keeps its log handler and bindings in WeakMaps, which the garbage collector pays for on every
 * request.
 */
export class HostInvocationContext implements InvocationContext {
  readonly functionName: string;
  readonly #log: InvocationContextInit['log'];
  readonly #functionOptions: HttpFunctionOptions;
  #options: EffectiveFunctionOptions | undefined;
  #invocationId: string | undefined;
  #extraInputs: ExtraBindings | undefined;
  #extraOutputs: ExtraBindings | undefined;

  constructor(init: InvocationContextInit) {
    this.#invocationId = init.invocationId;
    this.functionName = init.functionName;
    this.#functionOptions = init.functionOptions;
    this.#log = init.log;
  }

  /** Made on first use, like the id: HTTP functions here have no extra bindings. */
  get extraInputs(): ExtraBindings {
    this.#extraInputs ??= new ExtraBindings();
    return this.#extraInputs;
  }

  get extraOutputs(): ExtraBindings {
    this.#extraOutputs ??= new ExtraBindings();
    return this.#extraOutputs;
  }

  get invocationId(): string {
    this.#invocationId ??= randomUUID();
    return this.#invocationId;
  }

  /** Rarely read, so not built for every request. */
  get options(): EffectiveFunctionOptions {
    this.#options ??= effectiveOptions(this.#functionOptions);
    return this.#options;
  }

  log(...args: unknown[]): void {
    this.#log(this.functionName, 'information', args);
  }

  trace(...args: unknown[]): void {
    this.#log(this.functionName, 'trace', args);
  }

  debug(...args: unknown[]): void {
    this.#log(this.functionName, 'debug', args);
  }

  info(...args: unknown[]): void {
    this.#log(this.functionName, 'information', args);
  }

  warn(...args: unknown[]): void {
    this.#log(this.functionName, 'warning', args);
  }

  error(...args: unknown[]): void {
    this.#log(this.functionName, 'error', args);
  }
}
