/** The audit log's hash chain: the hash format, and the verifier behind `keyward audit verify`. */
export { canonicalJson } from './canonical-json.js';
export { chainHash, chainPayload, GENESIS_HASH } from './chain-hash.js';
export * from './verify-audit-chain.js';
