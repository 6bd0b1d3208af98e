/**
 * The dashboard's endpoints: the page (`GET /`), its script and stylesheet, and the live
 * stream (`GET /events/live`). Not JSON (SPEC §4 lists the JSON endpoints; these are the
 * dashboard's own). Security headers (helmet) go on these answers only, so the JSON endpoints
 * answer exactly as before.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { parseCountParams } from '../query';
import { DASHBOARD_CSS, DASHBOARD_ICON, DASHBOARD_JS, dashboardHtml } from './assets';
import type { LiveHub } from './live-hub';

/** `top` of a live selection when the browser gives none: a dashboard is always bounded. */
export const LIVE_DEFAULT_TOP = 10;

export interface DashboardOptions {
  readonly hub: LiveHub;
  /** WINDOW_RETENTION_S: the largest `window` accepted. */
  readonly retentionSeconds: number;
}

/** The app's way to mount a GET (and HEAD) route; other methods get a 405 (app.ts). */
export type GetRoute = (path: string, ...handlers: RequestHandler[]) => void;

/**
 * A strict policy for the api's pages: scripts and styles only from this origin (no inline
 * script or style element; the page sets sizes through the CSSOM, which CSP allows), images
 * from this origin and `imageSources`, no frames, no plugins. `upgrade-insecure-requests` is
 * left out: the api speaks plain HTTP. The reference page (/docs) uses it too.
 */
export function pageSecurityHeaders(...imageSources: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", ...imageSources],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false, // plain HTTP; a TLS proxy in front sets its own
  });
}

const securityHeaders = pageSecurityHeaders();

/** A handler that sends a fixed asset, built once as bytes. */
export function asset(contentType: string, text: string): RequestHandler {
  const body = Buffer.from(text, 'utf8');
  return (_req, res) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', body.length);
    res.setHeader('Cache-Control', 'no-cache');
    res.end(body);
  };
}

/** Mounts the dashboard's routes through the app's `getRoute` (GET/HEAD; others 405). */
export function mountDashboard(getRoute: GetRoute, options: DashboardOptions): void {
  getRoute(
    '/',
    securityHeaders,
    asset('text/html; charset=utf-8', dashboardHtml(options.retentionSeconds)),
  );
  getRoute('/dashboard.js', securityHeaders, asset('text/javascript; charset=utf-8', DASHBOARD_JS));
  getRoute('/dashboard.css', securityHeaders, asset('text/css; charset=utf-8', DASHBOARD_CSS));
  getRoute('/favicon.svg', securityHeaders, asset('image/svg+xml', DASHBOARD_ICON));
  getRoute('/events/live', securityHeaders, (req, res) => {
    // Validated like the count endpoints: a bad parameter is a JSON 400 (error middleware).
    const params = parseCountParams(req.query, options.retentionSeconds);
    if (req.method === 'HEAD') {
      res.status(200).type('text/event-stream').end();
      return;
    }
    options.hub.subscribe(res, { window: params.window, top: params.top ?? LIVE_DEFAULT_TOP });
  });
}
