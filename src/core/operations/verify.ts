/** verify = a backup file, or the live source, → the verifier, against the target. */
export { verifyBackup, type VerifyResult, type CollectionVerdict } from '../sinks/verifier/file-pass.js';
export { verifyAgainstSource } from '../sinks/verifier/source-pass.js';
