export { findProjectDir, workingDirectory, MANIFEST, OVERLAY, TXN_DIR, JOURNAL_FILE } from './find-project-dir.js';
export { readProjectFiles, readOptional, readWorkspaceMembers, type ReadFiles, type ReadPrior } from './read-project.js';
export { loadProject, checkoutDir, checkoutsPresent, type LoadedProject, type LoadOptions, type ProjectEdit, type ProjectEditContext } from './load-project.js';
export { syncProject, planProject, inspectProject, recoverIfInterrupted, type Reporter, type SyncOptions, type SyncReport } from './sync-project.js';
export { applyPlan, type ApplyOptions } from './apply-plan.js';
export { matchingState, writeSyncState, computeFingerprint, STATE_FILE, type SyncState } from './sync-state.js';
export { describeCheckout, checkoutSlot, readSlot, writeSlot, dotenvTracked, instanceOf, writeInstanceEnv, checkoutProjectName, refuseForeignContainers, refuseLeavingContainers, type Checkout } from './instance.js';
export { readManifestText } from './read-manifest.js';
export { composeStack, runnableStack, stackSecrets, checkBeforeUp, type ComposeStack, type RunnableStack } from './compose-stack.js';
