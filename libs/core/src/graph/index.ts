export * from './stack-graph.js';
export { renderMermaid } from './render-mermaid.js';
export { renderDot } from './render-dot.js';
export { renderComponentDot, type ComponentPictureInput } from './render-component-dot.js';
export { renderSvg, svgElement } from './render-svg.js';
