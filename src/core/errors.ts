/** Input that pvq refuses, with the offending field named. The CLI prints `message` and exits 2. */
export class PvqInputError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'PvqInputError';
    this.field = field;
  }
}

/** A solver contract violation detected at run time (e.g. a lower bound above a feasible value). */
export class PvqConsistencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PvqConsistencyError';
  }
}
