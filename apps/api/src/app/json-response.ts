import type { Response } from 'express';

/** SPEC §4: every answer except /metrics. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Sends `text`, which must already be JSON, with `status` and the SPEC content type. */
export function sendJson(res: Response, status: number, text: string): void {
  res.status(status).type(JSON_CONTENT_TYPE).send(text);
}
