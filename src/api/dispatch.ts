// One place where kiosk API calls are validated and routed, whatever the transport (WebSocket, HTTP,
// Electron IPC). Transports hand raw JSON here and get back a ResultMessage.
import type { z } from 'zod';
import { KioskError, toApiError } from './errors.js';
import {
  type CallMessage,
  type EventName,
  isMethodName,
  type MethodName,
  type Methods,
  methods,
  type ResultMessage,
} from './schema.js';

export type Implementation = {
  [M in MethodName]: (params: z.infer<Methods[M]['params']>) => Promise<z.infer<Methods[M]['result']>>;
};

export type EventListener = (name: EventName, data: unknown) => void;

export class Dispatcher {
  constructor(private readonly impl: Implementation) {}

  /** Validates params, calls the implementation, and returns a result envelope; never throws. */
  async call(message: Pick<CallMessage, 'id' | 'method' | 'params'>): Promise<ResultMessage> {
    const { id, method } = message;
    try {
      if (!isMethodName(method)) {
        throw new KioskError('UNKNOWN_METHOD', `Không có lệnh ${method}`, `No such method ${method}`);
      }
      const spec = methods[method];
      const parsed = spec.params.safeParse(message.params ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`)
          .join('; ');
        throw new KioskError(
          'BAD_PARAMS',
          `Tham số không hợp lệ: ${detail}`,
          `Invalid parameters: ${detail}`,
        );
      }
      const fn = this.impl[method] as (p: unknown) => Promise<unknown>;
      const result = await fn(parsed.data);
      return { type: 'result', id, ok: true, result: spec.result.parse(result) };
    } catch (err) {
      if (!(err instanceof KioskError)) console.error(`kiosk api: ${method} failed`, err);
      return { type: 'result', id, ok: false, error: toApiError(err) };
    }
  }
}
