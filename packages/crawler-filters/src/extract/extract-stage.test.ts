import { describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { collectInto, pipe } from '../pipeline.ts';
import { extractStage } from './extract-stage.ts';

const ARTICLE = `<html><head><title>Tides</title></head><body><nav><a href="/">Home</a></nav><article>
<p>The tide rises twice a day along this coast, and the harbour master posts the times, in large letters, on the board by the quay.</p>
<p>Fishermen plan their trips around those times, because the channel is too shallow at low water for the bigger boats.</p>
</article></body></html>`;

async function* from(items: Document[]) {
  yield* items;
}

describe('extract stage', () => {
  it('replaces html by main text and title, passes text-only documents, and counts the rest', async () => {
    const out: Document[] = [];
    const stats = await pipe(
      from([
        { id: 'page', url: 'https://tides.example/', html: ARTICLE, text: '', metadata: {} },
        { id: 'wet', text: 'Already extracted text.', metadata: {} },
        { id: 'blank', text: '   ', metadata: {} },
        {
          id: 'scripts-only',
          html: '<html><body><script>x()</script></body></html>',
          text: '',
          metadata: {},
        },
      ]),
      extractStage(),
      collectInto(out),
    );
    expect(out.map((d) => d.id)).toEqual(['page', 'wet']);
    expect(out[0].text.split('\n')).toHaveLength(2);
    expect(out[0].text).toMatch(/^The tide rises twice a day/);
    expect(out[0].html).toBeUndefined();
    expect(out[0].metadata.title).toBe('Tides');
    expect(stats.stages[1].dropped).toEqual({ empty: 1, 'no-main-text': 1 });
    expect(stats.stages[1].errored).toEqual({});
    const tight = await pipe(
      from([{ id: 'huge', html: `<p>${'x'.repeat(200)}</p>`, text: '', metadata: {} }]),
      extractStage({ maxHtmlLength: 100 }),
      collectInto([]),
    );
    expect(tight.stages[1].errored).toEqual({ 'page-too-large': 1 });
  });

  it('keeps the html when asked', async () => {
    const out: Document[] = [];
    await pipe(
      from([{ id: 'p', html: ARTICLE, text: '', metadata: {} }]),
      extractStage({ keepHtml: true }),
      collectInto(out),
    );
    expect(out[0].html).toBe(ARTICLE);
  });
});
