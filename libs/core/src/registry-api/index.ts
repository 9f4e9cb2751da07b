/** The registry service's HTTP API as data: request and response schemas shared by service and client. */
export * from './patterns.js';
export * from './requests.js';
export * from './responses.js';
export * from './check-response.js';
