/** Repository paths the service needs at run time; the same from src/ (tests) and dist/ (built). */
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));
export const SEED_DIR = fileURLToPath(new URL('../../../registry-seed', import.meta.url));
