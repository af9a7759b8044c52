// TEMPORARY during development: replaced by the ESA OpenAPI implementation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';

export function createEsaHandler(
  _ctx: EmulatorContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (_req, res) => {
    res.writeHead(501).end();
  };
}
