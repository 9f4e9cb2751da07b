/** Builds the Nest application for a validated config (used by main.ts and by the tests). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import type { RegistryConfig } from './config.js';
import { JsonLogger, logPath } from './logger.js';
import { HttpErrorFilter } from './http/http-error.js';
import { jsonBody } from './http/read-body.js';
import { openApiDocument } from './openapi.js';
import { installHotPath } from './http/hot-path.js';
import { installClientErrorHandler } from './http/client-errors.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { ComponentService } from './components/component.service.js';
import { webFormBody } from './web/index.js';

export async function createApp(config: RegistryConfig, logger = new JsonLogger(config.logLevel, config.adminToken ? [config.adminToken] : [])) {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    bodyParser: false,
    logger,
  });
  app.disable('x-powered-by');
  app.set('etag', false); // ETags are computed from content identity, not by hashing every body
  app.set('trust proxy', 'loopback');
  const document = openApiDocument();
  app.use(requestLog(logger));
  app.use(methodNotAllowed(document.paths as Record<string, Record<string, unknown>>));
  if (config.web) app.use(webFormBody());
  app.use(jsonBody(config.bodyLimit));
  app.useGlobalFilters(new HttpErrorFilter(logger));
  SwaggerModule.setup('docs', app, document as never, { jsonDocumentUrl: 'docs/openapi.json' });
  await app.init();
  installHotPath(app.getHttpServer(), app.get(ComponentService), config);
  installClientErrorHandler(app.getHttpServer());
  return app;
}

/** One structured line per request; never headers or bodies (they may hold tokens). */
function requestLog(logger: JsonLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      // 503 (database away) is expected while it lasts: a warning, not an error per request
      logger.event(res.statusCode === 503 ? 'warn' : res.statusCode >= 500 ? 'error' : 'debug', 'request', {
        method: req.method,
        path: logPath(req.path),
        status: res.statusCode,
        ms: Math.round(ms * 100) / 100,
      });
    });
    next();
  };
}
