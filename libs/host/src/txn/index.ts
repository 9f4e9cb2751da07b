export { acquireProjectLock, type AcquireLockOptions, type LockHolder, type ProjectLock } from './project-lock.js';
export { applyFiles, type ApplyFilesOptions, type AfterWriteContext, type FileChange } from './apply-files.js';
export { recoverInterrupted, type RecoveryResult } from './recover-interrupted.js';
export { parseProjectPath, resolveProjectPath, type ProjectPath } from './project-path.js';
export { writeFileDurable } from './durable-fs.js';
export { keepSchemaCopies, refreshSchemaCopies, SCHEMA_FILES } from './schema-copy.js';
