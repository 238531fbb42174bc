/** Flags of `npm run bench -- …`; every size is a flag so a quick run and the full run share code. */
export interface BenchArgs {
  records: number;
  big: number;
  skipBig: boolean;
  dim: number;
  sweepBatches: number[];
  sweepConcurrency: number[];
  /** Batch size and concurrency for chroma-migrate's import; defaults = the product's defaults. */
  importBatch?: number;
  importConcurrency?: number;
  exportConcurrency?: number;
  /** Milliseconds a proxy adds to every request of a second import and export: a server across a network. */
  latencyMs: number;
  /** The network section: milliseconds added to every request to the source (Cloud) and to the target (Railway). */
  sourceLatencyMs: number;
  targetLatencyMs: number;
  /** Alternating runs of the product and each baseline, compared by medians. */
  rounds: number;
  only: Set<Section>;
  /** The many section: how many collections the records are split over. */
  manyCollections: number;
  /** copy --parallel in the many section; the product's default when absent. */
  parallel?: number;
  out: string;
  keep: boolean;
  label: string;
}

export type Section = 'network' | 'pinned' | 'many' | 'import' | 'export' | 'memory' | 'size' | 'wizard' | 'scale';
const SECTIONS: Section[] = ['network', 'pinned', 'many', 'import', 'export', 'memory', 'size', 'wizard', 'scale'];
/** scale runs only when asked for (--only scale): it is meant for --records 1000000. */
const DEFAULT_SECTIONS = SECTIONS.filter((section) => section !== 'scale');

const USAGE = `npm run bench -- [flags]
  --records N            synthetic collection size (default 20000)
  --big N                the large backup for memory and export growth (default 100000)
  --skip-big             leave out the large-backup runs (memory, export growth)
  --dim N                embedding dimension (default 384)
  --sweep-batches L      raw-loader batch sizes, comma-separated (default 100,300,1000,2000)
  --sweep-concurrency L  raw-loader requests in flight (default 1,2)
  --import-batch N       chroma-migrate import --batch-size (default: the product's)
  --import-concurrency N chroma-migrate import --concurrency (default: the product's)
  --export-concurrency N chroma-migrate export --concurrency (default: the product's)
  --latency MS           also import and export through a proxy adding MS to each request,
                         like the round trip to Railway or Chroma Cloud (default 50; 0: off)
  --source-latency MS    network section: added to each request to the source, like the round
                         trip to Chroma Cloud (default 80)
  --target-latency MS    network section: added to each request to the target, like the round
                         trip to Railway (default 40)
  --rounds N             alternating runs of chroma-migrate and each baseline, compared
                         by their medians (default 3)
  --many-collections N   many section: the records split over N collections (default 100)
  --parallel N           many section: copy --parallel (default: the product's)
  --only L               sections: network,pinned,many,import,export,memory,size,wizard
                         (default all of those), and scale (only when named: with
                         --records 1000000, import and copy of 1M records, the pace at
                         100k/500k/1M and peak RSS)
  --label TEXT           stored in results.json to tell runs apart
  --out FILE             where the JSON goes (default bench/results.json)
  --keep                 keep the temp folder (servers' data, backups)`;

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = {
    records: 20_000,
    big: 100_000,
    skipBig: false,
    dim: 384,
    sweepBatches: [100, 300, 1000, 2000],
    sweepConcurrency: [1, 2],
    only: new Set(DEFAULT_SECTIONS),
    manyCollections: 100,
    out: 'bench/results.json',
    keep: false,
    label: '',
    latencyMs: 50,
    sourceLatencyMs: 80,
    targetLatencyMs: 40,
    rounds: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n\n${USAGE}`);
      return next;
    };
    const count = (min = 1): number => {
      const text = value();
      // Digits only (with _ or , between them): Number('') would be 0, Number('1e3') 1000.
      const n = /^\d[\d_,]*$/.test(text) ? Number(text.replace(/[_,]/g, '')) : Number.NaN;
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} wants a whole number ≥ ${min}, got ${text}`);
      return n;
    };
    const list = (): number[] => value().split(',').map((part) => {
      const n = Number(part);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants whole numbers ≥ 1, got ${part}`);
      return n;
    });
    switch (flag) {
      case '--records': args.records = count(); break;
      case '--big': args.big = count(); break;
      case '--skip-big': args.skipBig = true; break;
      case '--dim': args.dim = count(); break;
      case '--sweep-batches': args.sweepBatches = list(); break;
      case '--sweep-concurrency': args.sweepConcurrency = list(); break;
      case '--import-batch': args.importBatch = count(); break;
      case '--import-concurrency': args.importConcurrency = count(); break;
      case '--export-concurrency': args.exportConcurrency = count(); break;
      case '--rounds': args.rounds = count(); break;
      case '--latency': args.latencyMs = count(0); break;
      case '--source-latency': args.sourceLatencyMs = count(0); break;
      case '--target-latency': args.targetLatencyMs = count(0); break;
      case '--label': args.label = value(); break;
      case '--many-collections': args.manyCollections = count(); break;
      case '--parallel': args.parallel = count(); break;
      case '--out': args.out = value(); break;
      case '--keep': args.keep = true; break;
      case '--only': {
        const wanted = value().split(',');
        const bad = wanted.filter((name) => !SECTIONS.includes(name as Section));
        if (bad.length > 0) throw new Error(`--only: unknown section ${bad.join(', ')} (known: ${SECTIONS.join(', ')})`);
        args.only = new Set(wanted as Section[]);
        break;
      }
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`Unknown flag ${flag}\n\n${USAGE}`);
    }
  }
  return args;
}
