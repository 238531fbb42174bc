import { basename } from 'node:path';
import { Box } from 'ink';
import type { BackupSummary } from '../../../core/model/record.js';
import type { DatabaseSize } from '../../services.js';
import { Para } from '../../components/Para.js';
import { Select } from '../../components/Select.js';
import { Checkboxes } from '../../components/Checkboxes.js';
import { Window } from '../../components/Window.js';
import { fitting, useSpace } from '../../layout/space.js';
import { bytes, count, plural, shown } from '../../format.js';

/** A tenant with several databases: which to export, each with what it holds; all ticked to start with. */
export function DatabaseQuestion({ databases, onSubmit }: { databases: DatabaseSize[]; onSubmit: (chosen: string[]) => void }) {
  const space = useSpace();
  const names = databases.map((database) => database.name);
  return (
    <Box flexDirection="column">
      <Para bold>Step 1 · This tenant has {databases.length} databases. Export which (space toggles, Enter confirms)?</Para>
      <Para dim>All go into one backup file; each gets a database of the same name on your server.</Para>
      <Checkboxes
        visible={fitting(space, 4)}
        options={databases.map((database) => ({
          label: `${shown(database.name)} · ${plural(database.collections, 'collection')} · ${count(database.records)} records`,
          value: database.name,
        }))}
        ticked={names}
        onSubmit={onSubmit}
      />
    </Box>
  );
}

/** After exporting several databases into one file: one line per database, its collections below it. */
export function DatabaseSummaries({ summary, size, onNext }: { summary: BackupSummary; size: number; onNext: () => void }) {
  const space = useSpace();
  const databases = [...new Set(summary.collections.map((header) => header.database ?? ''))];
  const lines = databases.flatMap((database) => {
    const headers = summary.collections.filter((header) => (header.database ?? '') === database);
    return [
      { key: database, text: `${database} · ${plural(headers.length, 'collection')} · ${count(total(headers))} records`, head: true },
      ...headers.map((header) => ({ key: `${database}/${header.name}`, text: `${shown(header.name)}: ${count(header.count)} records`, head: false })),
    ];
  });
  return (
    <Box flexDirection="column">
      <Para mark="✓ " color="green">
        {plural(databases.length, 'database')} exported · {count(total(summary.collections))} records → {basename(summary.path)} · {bytes(size)}
      </Para>
      <Window
        items={lines}
        size={fitting(space, 3, 1)}
        noun="more lines"
        render={(line) =>
          line.head ? (
            <Para key={line.key} indent={2}>
              {line.text}
            </Para>
          ) : (
            <Para key={line.key} indent={4} dim>
              {line.text}
            </Para>
          )
        }
      />
      <Select options={[{ label: 'Continue to step 2: deploy', value: 'next' }]} onChange={onNext} />
    </Box>
  );
}

function total(headers: BackupSummary['collections']): number {
  return headers.reduce((sum, header) => sum + header.count, 0);
}
