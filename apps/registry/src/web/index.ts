/**
 * The web catalog, wired into AppModule (controllers and providers) and create-app (the form body reader) only
 * when HSM_REGISTRY_WEB is on (the default): with it off the service is the JSON API alone, as the bench compares.
 */
import { WebController } from './web.controller.js';
import { CatalogService } from './catalog.service.js';
import { CatalogRepository } from './catalog.repository.js';
import { WebSession } from './web-session.js';
import { PageCache } from './page-cache.js';

export const webControllers = [WebController];
export const webProviders = [CatalogService, CatalogRepository, WebSession, PageCache];
export { webFormBody } from './web-form-body.js';
