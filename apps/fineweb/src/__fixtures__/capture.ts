// A writable stream that keeps what the commands write, for the command tests.
import { Writable } from 'node:stream';

/** A stream to pass as a command's stdout/stderr, and the text written to it so far. */
export function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}
