// ConfigError: a bad configuration key or value, naming the key path ("solver.baseLr") and what was expected.
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly keyPath: string,
    message: string,
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}config ${keyPath}: ${message}`);
    this.name = 'ConfigError';
  }
}
