/** The rag-app project over the built-in catalog that the `hsm graph` tests draw: one fixture for both. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './files.js';

/** langchain-rag with redis in dev mode, a vector store and embeddings; `exporters` adds an M-of-N group. */
function ragAppManifest(options: { exporters?: boolean } = {}): string {
  return `version: 1
name: rag-app
components:
  langchain-rag: {}
  redis: { mode: dev }
groups:
  vector-store: { policy: one, use: qdrant-adapter }
  embeddings: { policy: one, use: openai-embeddings }
${options.exporters ? '  exporters: { policy: many, use: [prometheus-exporter, otel-exporter] }\n' : ''}`;
}

/** A temp directory holding only that hsm.yaml. */
export async function ragAppProject(options: { exporters?: boolean } = {}): Promise<string> {
  const dir = await tempDir('hsm-rag-app-');
  await writeFile(join(dir, 'hsm.yaml'), ragAppManifest(options));
  return dir;
}
