/**
 * The read hot path. Express' router alone caps this service at a third of the SPEC §12 budget on a small
 * machine, so anonymous GETs of component and version documents that are already in memory are answered
 * straight from the Node request handler, before Express. Everything else — a token, a query string, an
 * uncached or unknown document, token-only read access — falls through to the Nest controllers, which fill the
 * caches. Both paths write the same status, headers and body (tested).
 * An anonymous POST /v1/resolve with a declared JSON body within the limit is answered here too (it is the one
 * request every cold sync depends on): the body is read and validated with the controller's own schema, and
 * anything but a valid request answered without error — bad JSON, a schema problem, a database error — is
 * handed to Express with the body already read (`PREREAD`), so the answer is exactly the controller's.
 * An anonymous search (GET /v1/components?…) is answered here too: the query string is parsed as Express parses
 * it (node:querystring, its "simple" parser) and validated with the controller's schema; anything invalid is the
 * controller's to answer.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { RegistryConfig } from '../config.js';
import { etagMatches, type ComponentService, type Document } from '../components/component.service.js';
import { isHsmError } from '@hsm/core';
import * as RegistryApi from '@hsm/core/registry-api';
import { PREREAD, mediaTypeProblem, type PreRead } from './read-body.js';
import { parseStrictJson } from './strict-json.js';

const PREFIX = '/v1/components/';
const SEARCH = '/v1/components';
const IF_NONE_MATCH = new RegExp(RegistryApi.IF_NONE_MATCH);

export function installHotPath(server: Server, components: ComponentService, config: RegistryConfig): void {
  if (config.readAccess !== 'public') return; // every read needs a token: nothing to serve anonymously
  const next = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const express = (req: IncomingMessage, res: ServerResponse) => {
    for (const l of next) l(req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!serveFromCache(req, res, components) && !serveSearch(req, res, components, express) && !serveResolve(req, res, components, config, express)) express(req, res);
  });
}

function serveSearch(req: IncomingMessage, res: ServerResponse, components: ComponentService, express: (req: IncomingMessage, res: ServerResponse) => void): boolean {
  const url = req.url ?? '';
  if (req.method !== 'GET' || req.headers.authorization !== undefined) return false;
  const q = url.indexOf('?');
  if ((q < 0 ? url : url.slice(0, q)) !== SEARCH) return false;
  const parsed = RegistryApi.SearchQuery.safeParse(parseQuery(q < 0 ? '' : url.slice(q + 1)));
  if (!parsed.success) return false;
  components.searchBody(parsed.data).then(
    (body) => {
      res.writeHead(200, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(body.length)]);
      res.end(body);
    },
    () => express(req, res), // a database error: the controller's answer (503)
  );
  return true;
}

function serveResolve(req: IncomingMessage, res: ServerResponse, components: ComponentService, config: RegistryConfig, express: (req: IncomingMessage, res: ServerResponse) => void): boolean {
  if (req.method !== 'POST' || req.url !== '/v1/resolve' || req.headers.authorization !== undefined) return false;
  const declared = Number(req.headers['content-length']);
  if (!(declared > 0 && declared <= config.bodyLimit) || mediaTypeProblem(req.headers['content-type']) !== undefined) return false;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('error', () => res.destroy());
  req.on('end', () => {
    const bytes = Buffer.concat(chunks);
    const send = (body: Buffer) => {
      res.writeHead(200, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(body.length)]);
      res.end(body);
    };
    // the same bytes answered before, and nothing changed since: the same answer (it was valid then, so it is now)
    const key = bytes.toString('latin1');
    const remembered = components.cachedResolveAnswer(key);
    if (remembered) return send(remembered);
    const handOver = () => {
      (req as PreRead)[PREREAD] = bytes;
      express(req, res);
    };
    let parsed;
    try {
      // The same strict parse as every other body (read-body.ts): a duplicate key or bad UTF-8 is the controller's 400.
      parsed = RegistryApi.ResolveRequest.safeParse(parseStrictJson(bytes));
    } catch (e) {
      if (!isHsmError(e)) throw e;
      return handOver();
    }
    if (!parsed.success) return handOver();
    components.resolveRemembered(parsed.data.components, key).then(send, handOver);
  });
  return true;
}

/** Ready-made raw header lists per document: `writeHead` with an array skips per-header validation. */
interface Prepared {
  ok: string[];
  notModified: string[];
  body: Buffer;
}
const prepared = new WeakMap<Document, Prepared>();

function prepare(doc: Document, cacheControl: string): Prepared {
  let p = prepared.get(doc);
  if (!p) {
    const body = doc.body;
    const common = ['Cache-Control', cacheControl, 'Vary', 'Authorization', 'ETag', doc.etag];
    p = {
      ok: [...common, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(body.length)],
      notModified: common,
      body,
    };
    prepared.set(doc, p);
  }
  return p;
}

function serveFromCache(req: IncomingMessage, res: ServerResponse, components: ComponentService): boolean {
  const url = req.url ?? '';
  if (req.method !== 'GET' || !url.startsWith(PREFIX) || req.headers.authorization !== undefined) return false;
  if (url.includes('?') || url.includes('%')) return false;
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && (inm.length > 2000 || !IF_NONE_MATCH.test(inm))) return false; // the controller answers 400
  const parts = url.slice(PREFIX.length).split('/');
  let doc: Document | undefined;
  let cacheControl: string;
  let conditional: boolean;
  if (parts.length === 1 && parts[0]) {
    doc = components.cachedComponentDocument(parts[0]);
    cacheControl = 'public, no-cache';
    conditional = doc !== undefined && etagMatches(req.headers['if-none-match'], doc.etag);
  } else if (parts.length === 3 && parts[0] && parts[1] === 'versions' && parts[2]) {
    doc = components.cachedVersionDocument(parts[0], parts[2]);
    cacheControl = 'public, max-age=31536000, immutable';
    conditional = doc !== undefined && req.headers['if-none-match'] === doc.etag;
  } else return false;
  if (!doc) return false;
  const p = prepare(doc, cacheControl);
  if (conditional) {
    res.writeHead(304, p.notModified);
    res.end();
  } else {
    res.writeHead(200, p.ok);
    res.end(p.body);
  }
  return true;
}
