/** An expected failure (bad usage, unknown id, missing setting): the CLI prints the message, exits 2, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Print the usage text of this command after the message. */
    readonly usageOf?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
