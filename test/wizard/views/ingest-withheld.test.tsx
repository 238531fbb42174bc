/** Step 7 resumed with a command saved masked: offered to edit (naming what to type again), never run as saved. */
import { describe, expect, it } from 'vitest';
import { IngestView } from '../../../src/wizard/steps/ingest/IngestView.js';
import { ignore, renderView } from './render-view.js';

const saved = 'OPENAI_API_KEY=… python3 ingest.py --api-key …';
const output = { lines: [], printed: 0, log: '' };

describe('step 7 with a command whose secrets were not saved', () => {
  it('offers "Edit the last command", not "Run again", and says what to type again', async () => {
    const choose = await renderView(<IngestView phase={{ name: 'choose' }} targetUrl="http://localhost:8000" cwd="/home/ana/project" remembered={saved} withheld={['OPENAI_API_KEY', '--api-key']} output={output} on={{ choose: ignore, command: ignore }} />, 80);
    expect(choose).toContain(`Edit the last command: ${saved}`);
    expect(choose).not.toContain('Run again');
    const edit = await renderView(<IngestView phase={{ name: 'command' }} targetUrl="http://localhost:8000" cwd="/home/ana/project" remembered={saved} withheld={['OPENAI_API_KEY', '--api-key']} output={output} on={{ choose: ignore, command: ignore }} />, 80);
    expect(edit).toContain('Not saved, type again where … stands: OPENAI_API_KEY, --api-key');
  });

  it('a command typed this session runs again as typed, shown masked', async () => {
    const typed = 'OPENAI_API_KEY=sk-live-1234567 python3 ingest.py';
    const frame = await renderView(<IngestView phase={{ name: 'running', command: typed }} targetUrl="http://localhost:8000" cwd="/home/ana/project" conceal={() => 'OPENAI_API_KEY=… python3 ingest.py'} output={output} on={{ choose: ignore, command: ignore }} />, 80);
    expect(frame).toContain('Running: OPENAI_API_KEY=… python3 ingest.py');
    expect(frame).not.toContain('sk-live');
  });
});
