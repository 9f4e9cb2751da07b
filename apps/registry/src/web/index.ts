/**
 * The web catalog, wired into AppModule (controllers and providers) and create-app (the form body reader) only
 * when HSM_REGISTRY_WEB is on (the default): with it off the service is the JSON API alone, as the bench compares.
 */
import { WebController } from './web.controller.js';
import { CatalogService } from './catalog.service.js';
import { CatalogRepository } from './catalog.repository.js';
import { WebSession } from './web-session.js';

export const webControllers = [WebController];
export const webProviders = [CatalogService, CatalogRepository, WebSession];
export { webFormBody } from './web-form-body.js';
