/**
 * A bare `node:http` server in a process of its own that answers every request with one fixed
 * body and its headers: the most a Node process can send of those bytes on this machine, the
 * baseline the api's full reads are compared with (api-load.bench.ts). It gets a core of its
 * own, as the api does; the body is shared, never copied per request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const [file, headersJson, port] = process.argv.slice(1);
const body = fs.readFileSync(file);
const headers = JSON.parse(headersJson);
http
  .createServer((req, res) => {
    res.statusCode = 200;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('Content-Length', body.length);
    res.end(body);
  })
  .listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

export interface BareServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1:`port`; resolves once it listens. */
export async function startBareServer(
  port: number,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
): Promise<BareServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bare-'));
  const file = join(dir, 'body');
  writeFileSync(file, body);
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', SERVER, file, JSON.stringify(headers), String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the bare server has no stdout');
  const [line] = (await Promise.race([
    once(stdout, 'data'),
    once(child, 'exit').then(() => {
      throw new Error('the bare server exited before listening');
    }),
  ])) as [Buffer];
  if (!line.toString().includes('listening')) throw new Error(`bare server: ${line.toString()}`);
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
