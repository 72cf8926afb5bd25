/** Where GitHub publishes the keys that sign secret-scanning messages (dependency-free: the CLI's config reads it). */
export const GITHUB_SCANNING_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';
