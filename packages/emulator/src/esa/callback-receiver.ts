// TEMPORARY during development: replaced by the ESA OpenAPI implementation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';

export async function handleUploadCallback(
  _ctx: EmulatorContext,
  _req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  res.writeHead(501).end();
}
