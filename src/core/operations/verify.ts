/** verify = a backup file → the verifier, against the target. */
export { verifyBackup, type VerifyResult, type CollectionVerdict } from '../sinks/verifier/file-pass.js';
