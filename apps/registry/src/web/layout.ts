/** The shell every page shares: header with the quick search, main, footer; assets from the service itself. */
import { ASSETS } from './assets.js';
import { html, type Html } from './html.js';

export interface PageChrome {
  title: string;
  /** Shown when reads need a token and the visitor has one: a logout button. */
  signedIn: boolean;
  /** The header's search box value. */
  query?: string;
}

export function page(chrome: PageChrome, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} · hsm registry</title>
<link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS.css.path}">
<script src="${ASSETS.js.path}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="wrap">
<a class="brand" href="/"><img src="${ASSETS.icon.path}" alt="">hsm registry</a>
<form class="quick" action="/" method="get" role="search"><input type="search" name="q" value="${chrome.query ?? ''}" placeholder="Search components" aria-label="Search components"></form>
<nav aria-label="Site">
<a href="/">Catalog</a>
<a href="/docs">API</a>
${chrome.signedIn ? html`<form action="/logout" method="post"><button type="submit">Log out</button></form>` : ''}
</nav>
</div></header>
<main id="main"><div class="wrap">
${body}
</div></main>
<footer><div class="wrap">hsm team registry · the same data as the JSON API under <code>/v1</code> · <a href="/docs">OpenAPI</a></div></footer>
</body>
</html>
`.value;
}

export function errorPage(chrome: PageChrome, heading: string, message: string): string {
  return page(chrome, html`<div class="panel"><h1>${heading}</h1><p class="lead">${message}</p><p><a href="/">Back to the catalog</a></p></div>`);
}
