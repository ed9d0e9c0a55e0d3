// The one error type of scenario files: a one-line message naming the file and the place. Kept apart from parse.ts so
// that load workers, which only need roles.ts, template.ts and match.ts, do not load the YAML parser and Ajv.

/** A scenario the run cannot use: `scenario chat.yaml: roles[1].steps[0].request.timeout: expected ...`. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(message: string) {
    // Users see this line as is (design.md: errors are one line), so whatever was embedded stays on it.
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
  }
}
