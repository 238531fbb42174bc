/** The architecture's rules (see ARCHITECTURE.md), checked by `npm run lint`. */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Import cycles make the load order and the layers unreadable.', from: {}, to: { circular: true } },
    {
      name: 'core-imports-no-face',
      severity: 'error',
      comment: 'The engine knows nothing of terminals, React or words for people: core/ never imports cli/, commands/, wizard/ or present/.',
      from: { path: '^src/core/' },
      to: { path: '^src/(cli|bin|commands|wizard|present)/' },
    },
    {
      name: 'present-imports-no-face',
      severity: 'error',
      comment: 'present/ holds words both faces share; it imports core, never a face.',
      from: { path: '^src/present/' },
      to: { path: '^src/(cli|bin|commands|wizard)/' },
    },
    {
      name: 'faces-do-not-import-each-other',
      severity: 'error',
      comment: 'The wizard and the commands share core/ and present/, never each other.',
      from: { path: '^src/wizard/' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'commands-do-not-import-the-wizard',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { path: '^src/wizard/' },
    },
    {
      name: 'operations-compose-sources-and-sinks',
      severity: 'error',
      comment: 'An operation composes sources and sinks; it never imports another operation.',
      from: { path: '^src/core/operations/([^/]+)\\.ts$' },
      to: { path: '^src/core/operations/', pathNot: '^src/core/operations/$1\\.ts$' },
    },
    {
      name: 'sources-and-sinks-stay-below-operations',
      severity: 'error',
      comment: 'Sources, sinks, formats and the model are building blocks: they never reach up into operations.',
      from: { path: '^src/core/(sources|sinks|backup|model|chroma|collection|util|state)/' },
      to: { path: '^src/core/operations/' },
    },
    {
      name: 'model-is-the-floor',
      severity: 'error',
      comment: 'The record model and value types sit under everything: they import only util/.',
      from: { path: '^src/core/model/' },
      to: { path: '^src/core/(?!model/|util/)' },
    },
    {
      name: 'util-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/core/util/' },
      to: { path: '^src/', pathNot: '^src/core/util/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
  },
};
