import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import { getMetadataStorage } from 'class-validator';

/**
 * The application's own route table, read from the running app, so that tests generated from it cannot miss a
 * route somebody adds later: the HTTP routes and mounted sub-applications from the Express router, the Socket.IO
 * events from the gateways' @SubscribeMessage metadata.
 */

/** One method and path of the Express router, e.g. `GET /api/v1/threads/:id`. */
export interface HttpRoute {
  method: string;
  path: string;
  key: string;
  /** The `:name` parameters of the path, in order. */
  params: string[];
}

/** A router or static file server mounted under a path (AdminJS at /admin, Swagger UI's assets at /docs): `USE /admin`. */
export interface MountedHandler {
  kind: 'router' | 'static';
  path: string;
  key: string;
}

export interface SocketEvent {
  event: string;
  gateway: string;
  handler: string;
  /** The payload's DTO class, when the handler validates one. */
  payloadType?: abstract new (...args: never[]) => unknown;
  /** The DTO's validated fields, each with the JSON type its validators ask for (when one of them says). */
  fields: Record<string, { type?: 'integer' | 'string' | 'boolean' }>;
}

interface ExpressLayer {
  name: string;
  route?: { path: string; methods: Record<string, boolean> };
  rawPath?: unknown;
  match(path: string): boolean;
}

// A path no application route could mean: a layer matching it matches every path.
const PROBE_PATH = '/route-table-probe/a/b/c';

export function discoverHttpRoutes(app: INestApplication): { routes: HttpRoute[]; mounts: MountedHandler[] } {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const routes: HttpRoute[] = [];
  const mounts: MountedHandler[] = [];
  for (const layer of express.router.stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all');
      // Nest applies middleware (forRoutes('*'), e.g. the request logger) as a route for every method on every
      // path; it passes requests on and answers none itself.
      if (methods.length > 2 && layer.match(PROBE_PATH)) continue;
      for (const method of methods) {
        const path = layer.route.path;
        routes.push({
          method: method.toUpperCase(),
          path,
          key: `${method.toUpperCase()} ${path}`,
          params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]),
        });
      }
    } else if (layer.name === 'router' || layer.name === 'serveStatic') {
      const path = typeof layer.rawPath === 'string' ? layer.rawPath : String(layer.rawPath);
      mounts.push({ kind: layer.name === 'router' ? 'router' : 'static', path, key: `USE ${path}` });
    }
  }
  return { routes, mounts };
}

/** Every client→server Socket.IO event of every gateway, with the fields its payload DTO validates. */
export function discoverSocketEvents(app: INestApplication): SocketEvent[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const events: SocketEvent[] = [];
  for (const wrapper of discovery.getProviders()) {
    const { metatype, instance } = wrapper;
    if (!metatype || !instance || !Reflect.getMetadata(GATEWAY_METADATA, metatype)) continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const handler of scanner.getAllMethodNames(prototype)) {
      const event: unknown = Reflect.getMetadata(MESSAGE_METADATA, prototype[handler] as object);
      if (typeof event !== 'string') continue;
      const paramTypes = (Reflect.getMetadata('design:paramtypes', prototype, handler) ?? []) as (abstract new (...args: never[]) => unknown)[];
      const payloadType = paramTypes.find((type) => Object.keys(validatedFields(type)).length > 0);
      events.push({ event, gateway: String(wrapper.name), handler, payloadType, fields: payloadType ? validatedFields(payloadType) : {} });
    }
  }
  return events;
}

const TYPE_OF_VALIDATOR: Record<string, 'integer' | 'string' | 'boolean'> = { isInt: 'integer', isString: 'string', isBoolean: 'boolean' };

function validatedFields(type: unknown): SocketEvent['fields'] {
  const fields: SocketEvent['fields'] = {};
  if (typeof type !== 'function') return fields;
  for (const rule of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    const field = (fields[rule.propertyName] ??= {});
    field.type ??= rule.name ? TYPE_OF_VALIDATOR[rule.name] : undefined;
  }
  return fields;
}

/** A path with its `:name` parameters filled in (values are inserted as given: encode them first if needed). */
export function fillPath(path: string, values: Record<string, string | number>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`);
    return String(value);
  });
}

/** The OpenAPI spelling of an Express path: `/api/v1/threads/:id` → `/api/v1/threads/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');
