/**
 * Settings files: the one loader (load.ts) of agent.yml, web.yml and the
 * topology, the zod-issue messages (issues.ts) and the generator of their
 * reference, docs/settings.md (docs.ts).
 */
export { settingsTable, undescribedFields } from './docs.js';
export { fieldName, schemaProblems, show } from './issues.js';
export {
  type AnySettingsFile,
  CONFIG_FILE_CODES,
  loadSettings,
  MAX_ALIAS_COUNT,
  MAX_SETTINGS_BYTES,
  parseSettings,
  parseSettingsYaml,
  readSettingsText,
  type SettingsCodes,
  type SettingsFile,
  settingsProblems,
} from './load.js';
