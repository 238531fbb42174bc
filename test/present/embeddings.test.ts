import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddingFunctionFor } from '../../src/core/embeddings/ef-config.js';
import { resolveEmbeddingEndpoint } from '../../src/core/embeddings/endpoint.js';
import { appCode } from '../../src/present/embeddings.js';

const dir = mkdtempSync(join(tmpdir(), 'cm-app-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const QUERY = "Given a question about coding, retrieval code or passage that can solve user's question";

describe("the app's new client code after repoint or reembed", () => {
  const ollama = embeddingFunctionFor(resolveEmbeddingEndpoint({ url: 'http://gpu:11434', model: 'qwen3-embedding:0.6b' }, {}));
  const openai = embeddingFunctionFor(resolveEmbeddingEndpoint({ url: 'https://embed.example.com/v1', model: 'Qwen/Qwen3-Embedding-0.6B', apiKeyEnvVar: 'K' }, { K: 'secret' }));

  it('names the packages, the query prefix and the key variable; never the key', () => {
    const code = appCode(openai, 'docs', 'https://chroma.example.com', QUERY);
    expect(code.python).toContain('# pip install chromadb openai');
    expect(code.js).toContain('// npm install chromadb @chroma-core/openai');
    expect(code.python).toContain('chromadb.HttpClient(host="chroma.example.com", port=443, ssl=True)');
    expect(code.js).toContain(`const QUERY_PREFIX = "Instruct: ${QUERY}\\nQuery:";`);
    expect(code.env).toMatch(/^K=<the endpoint's key/);
    expect(JSON.stringify(code)).not.toContain('secret');
    expect(appCode(ollama, 'docs', 'http://localhost:8000', '').python).not.toContain('QUERY_PREFIX');
  });

  it('the JavaScript parses as a module (top-level await)', () => {
    for (const [ef, query] of [[ollama, QUERY], [openai, '']] as const) {
      const file = join(dir, `app-${ef.name}.mjs`);
      writeFileSync(file, appCode(ef, 'my "docs"', 'http://localhost:8000', query).js);
      execFileSync(process.execPath, ['--check', file]);
    }
  });

  it.skipIf(!hasPython())('the Python parses', () => {
    for (const [ef, query] of [[ollama, QUERY], [openai, '']] as const) {
      const file = join(dir, `app-${ef.name}.py`);
      writeFileSync(file, appCode(ef, "it's docs", 'http://localhost:8000', query).python);
      execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', file]);
    }
  });
});
