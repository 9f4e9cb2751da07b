/** The files of a project, by name. No imports: the no-op fast path loads this alone (SPEC §12). */
export const GENERATED_COMPOSE = 'docker-compose.hsm.yml';
/** Compose's own lookup order for the user's file. */
export const USER_COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;
/** The override file Compose loads after the user's file (the first of these that exists). */
export const COMPOSE_OVERRIDE_FILES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;
/** Every file a plan is computed from, as the project reader reads them (and the no-op fast path hashes them). */
export const PROJECT_FILES = ['hsm.yaml', 'hsm.local.yaml', 'hsm.lock', 'pyproject.toml', 'uv.lock', GENERATED_COMPOSE, 'hsm.env', '.env', ...USER_COMPOSE_FILES, ...COMPOSE_OVERRIDE_FILES] as const;
/** This checkout's connection settings (issue 12), written by every full sync; the no-op path checks it is there. */
export const INSTANCE_ENV_FILE = '.hsm/env';
