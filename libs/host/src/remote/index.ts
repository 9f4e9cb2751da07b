export { RemoteRegistry, type RemoteRegistryOptions, type RemoteSearchHit, type RemoteComponentInfo, type PublishOutcome } from './remote-registry.js';
export { RegistryClient, RESOLVE_BATCH, type ResolveItem, type ResolveAnswer } from './registry-client.js';
export { RegistryHttp, displayUrl, tokenEnvName, type RegistryHttpOptions, type HttpRequest, type HttpResponse } from './registry-http.js';
export { RegistryCache, cacheFolderName, cacheSize, cleanCache } from './registry-cache.js';
export { tokenFor, storeToken, credentialKey, CREDENTIALS_FILE } from './credentials.js';
