// The one typed door to the Rust backend. Every command name lives here, and every
// rejection comes out as an ApiError, so components never see raw IPC failures.
import { Channel, invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { OpenTunnelInfo } from '../bindings/OpenTunnelInfo';
import type { ApiError } from '../bindings/ApiError';
import type { Connection } from '../bindings/Connection';
import type { Draft } from '../bindings/Draft';
import type { DraftToken } from '../bindings/DraftToken';
import type { Engine } from '../bindings/Engine';
import type { CopiedText } from '../bindings/CopiedText';
import type { ExportedText } from '../bindings/ExportedText';
import type { ExportFormat } from '../bindings/ExportFormat';
import type { ExportFormatInfo } from '../bindings/ExportFormatInfo';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportResult } from '../bindings/ImportResult';
import type { Offered } from '../bindings/Offered';
import type { ImportChoices } from '../bindings/ImportChoices';
import type { ListFormat } from '../bindings/ListFormat';
import type { SavedExport } from '../bindings/SavedExport';
import type { LastTest } from '../bindings/LastTest';
import type { SummaryListing } from '../bindings/SummaryListing';
import type { BulkChange } from '../bindings/BulkChange';
import type { Deleted } from '../bindings/Deleted';
import type { FolderContents } from '../bindings/FolderContents';
import type { ManyResult } from '../bindings/ManyResult';
import type { PickedFile } from '../bindings/PickedFile';
import type { StepReport } from '../bindings/StepReport';
import type { ConnectionFields } from '../bindings/ConnectionFields';
import type { ConnectionUpdate } from '../bindings/ConnectionUpdate';
import type { EngineSpec } from '../bindings/EngineSpec';
import type { EnvironmentInfo } from '../bindings/EnvironmentInfo';
import type { FieldIssue } from '../bindings/FieldIssue';
import type { NewConnection } from '../bindings/NewConnection';
import type { Rebased } from '../bindings/Rebased';
import type { TestReport } from '../bindings/TestReport';
import type { WindowNotice } from '../bindings/WindowNotice';

/** A file or folder dropped on the window, as its notice says it (held by the backend). */
export type Dropped = Omit<Extract<WindowNotice, { kind: 'dropped' }>, 'kind'>;

function isApiError(e: unknown): e is ApiError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

/** Turns anything a command (or our own code) threw into an ApiError fit for display. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) {
    return { ...e, hint: e.hint ?? '', issues: Array.isArray(e.issues) ? e.issues : [] };
  }
  // Not the backend's error shape: Tauri itself refused the call (unknown command, bad
  // arguments) or the UI has a bug. There is no dedicated code for that in the contract.
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : 'Unknown error';
  return {
    code: 'protocol_error',
    message: `The app could not complete the request: ${message}`,
    hint: 'Restart Switchboard; if it happens again, report it with the steps that led here.',
    issues: [],
  };
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/** Where a batch import reads from: pasted text, or a file picked in the native dialog
 *  (only its token; the backend reads it, so its passwords never reach the window). */
export type BatchInput = { text: string; file: null } | { text: null; file: string };

const NO_CHOICES: ImportChoices = { includePasswords: false, passphrase: null, onClash: 'auto' };

/** A channel that hands each finished step of a test to `onStep` as it happens. */
function stepChannel(onStep: (s: StepReport) => void): Channel<StepReport> {
  const channel = new Channel<StepReport>();
  channel.onmessage = onStep;
  return channel;
}

export const api = {
  /** Why the data dir could not be opened at start-up (null when it was). */
  startupProblem: () => call<ApiError | null>('startup_problem'),
  /** What the list shows of every connection (naturally sorted), and the unreadable rows. */
  listSummaries: () => call<SummaryListing>('list_summaries'),
  /** Changes whenever `listSummaries` would (a row's last use aside). */
  listingStamp: () => call<string>('listing_stamp'),
  /** Reads a saved connection as it is now (no write: safe on a change elsewhere). */
  getConnection: (id: string) => call<Connection>('get_connection', { id }),
  /** Reads a connection to open it in the form: it counts as used ("Recently used"). */
  openConnection: (id: string) => call<Connection>('open_connection', { id }),
  /** Keeps an (empty) folder; answers its path as stored. */
  createFolder: (path: string) => call<string>('create_folder', { path }),
  /** Renames or moves a folder with everything in it; answers how many connections moved. */
  renameFolder: (from: string, to: string) => call<number>('rename_folder', { from, to }),
  deleteFolder: (path: string, contents: FolderContents) => call<Deleted | null>('delete_folder', { path, contents }),
  setFolderCollapsed: (path: string, collapsed: boolean) => call<void>('set_folder_collapsed', { path, collapsed }),
  /** One change to a selection, in one transaction. */
  changeConnections: (ids: string[], change: BulkChange) => call<number>('change_connections', { ids, change }),
  setFavourite: (id: string, favourite: boolean) => call<void>('set_favourite', { id, favourite }),
  /** Deletes a selection; the answer's token undoes it for 10 s. */
  deleteConnections: (ids: string[]) => call<Deleted>('delete_connections', { ids }),
  undoDelete: (token: string) => call<string[]>('undo_delete', { token }),
  /** Switchboard's JSON list of `ids` to a file picked in the native save dialog (null: cancelled). */
  /** Saves `ids` as `format` where the user picks; what the format could not carry comes back. */
  exportConnections: (ids: string[], format: ListFormat = 'switchboard') =>
    call<SavedExport | null>('export_connections', { ids, format }),
  // `secretsFrom`: the token of the pasted draft the form was filled from; the backend
  // fills in the password / client key it holds for it that the user did not type (they
  // are never sent to us).
  createConnection: (input: NewConnection, secretsFrom: DraftToken | null = null) =>
    call<Connection>('create_connection', { input, secretsFrom }),
  updateConnection: (input: ConnectionUpdate, secretsFrom: DraftToken | null = null) =>
    call<Connection>('update_connection', { input, secretsFrom }),
  deleteConnection: (id: string) => call<null>('delete_connection', { id }),
  duplicateConnection: (id: string) => call<Connection>('duplicate_connection', { id }),
  cancelTest: (testId: string) => call<null>('cancel_test', { testId }),
  /** Tests many at once (at most `concurrency`); each result goes to `onResult` as it
   *  arrives; `cancelTest(testId)` stops the run. */
  testMany: (ids: string[], concurrency: number | null, testId: string, onResult: (r: ManyResult) => void) => {
    const channel = new Channel<ManyResult>();
    channel.onmessage = onResult;
    return call<ManyResult[]>('test_many', { ids, concurrency, testId, onResult: channel });
  },
  listLastTests: () => call<LastTest[]>('list_last_tests'),
  // Tauri maps the Rust parameter `client_key` to the camelCase key `clientKey`.
  /** Tests what a form shows (`saved`: the saved connection it edits, whose stored
   *  secrets stand in for ones not typed); steps stream to `onStep`; `cancelTest(testId)`
   *  stops it. */
  testDraft: (
    fields: ConnectionFields,
    password: string | null,
    clientKey: string | null,
    secretsFrom: DraftToken | null,
    saved: string | null,
    testId: string,
    onStep: (s: StepReport) => void,
    sshSecrets: (string | null)[] = [],
    trustHostKeys: string[] = [],
  ) =>
    call<TestReport>('test_draft', {
      fields,
      password,
      clientKey,
      secretsFrom,
      saved,
      sshSecrets,
      trustHostKeys,
      testId,
      onStep: stepChannel(onStep),
    }),
  /** Opens a saved connection's SSH route as a forward on 127.0.0.1; answers once open. */
  openTunnel: (id: string, localPort: number | null = null) => call<OpenTunnelInfo>('open_tunnel', { id, localPort }),
  closeTunnel: (id: string) => call<null>('close_tunnel', { id }),
  listTunnels: () => call<OpenTunnelInfo[]>('list_tunnels'),
  /** The concrete `Host` names of the user's ~/.ssh/config (and what it includes). */
  listSshAliases: () => call<string[]>('list_ssh_aliases'),
  /** A pasted connection string read for the form: says whether it holds a password, never
   *  which; the backend holds it behind the draft's token. */
  parseConnectionString: (input: string) => call<Draft>('parse_connection_string', { input }),
  /** A saved connection as text; the password only when the user ticked "include". */
  copyConnection: (id: string, format: ExportFormat, includePassword: boolean) =>
    call<CopiedText>('copy_connection', { id, format, includePassword }),
  /** The live preview of unsaved fields (never with a password). */
  previewConnectionString: (fields: ConnectionFields, format: ExportFormat) =>
    call<ExportedText>('preview_connection_string', { fields, format }),
  exportFormats: (engine: Engine) => call<ExportFormatInfo[]>('export_formats', { engine }),
  /** `includePasswords`: the user agreed to bring another tool's saved passwords into the
   *  keychain; `passphrase`: what they typed for an export that seals its secrets. */
  previewImport: (input: BatchInput, opts: ImportChoices = NO_CHOICES) =>
    call<ImportPreview>('preview_import', { ...input, choices: opts }),
  /** Saves the chosen rows (indexes from the preview) in one transaction. */
  importRows: (input: BatchInput, rows: number[], opts: ImportChoices = NO_CHOICES) =>
    call<ImportResult>('import_rows', { ...input, rows, choices: opts }),
  /** Other tools' lists in their default places, each held for an import (its `file` token). */
  discoverSources: () => call<Offered[]>('discover_sources'),
  pickImportFile: () => call<PickedFile | null>('pick_import_file'),
  /** A folder (a DBeaver workspace, a DataGrip project), held like a picked file. */
  pickImportFolder: () => call<PickedFile | null>('pick_import_folder'),
  /** Errors and warnings (`severity`); only errors stop a save. */
  validateConnection: (fields: ConnectionFields, id: string | null) =>
    call<FieldIssue[]>('validate_connection', { fields, id }),
  /** The handle a save would derive from `name` (`id`: the connection being edited). */
  suggestHandle: (name: string, id: string | null) => call<string>('suggest_handle', { name, id }),
  revealPassword: (id: string) => call<string>('reveal_password', { id }),
  /** The text of a PEM file the user picks in the native dialog; null when cancelled. */
  pickPemFile: () => call<string | null>('pick_pem_file'),
  listEnvironments: () => call<EnvironmentInfo[]>('list_environments'),
  /** Every engine's description; the connection form is rendered from these. */
  listEngines: () => call<EngineSpec[]>('list_engines'),
  /** A stale edit on top of the connection as saved now (`takeTheirs`: conflicting
   *  fields where the user chose the saved value). */
  rebaseEdits: (id: string, base: ConnectionFields, mine: ConnectionFields, takeTheirs: string[]) =>
    call<Rebased>('rebase_edits', { id, base, mine, takeTheirs }),
  /** Notices outside command answers: the store changed, or closing waits on edits. */
  watchWindow: (onNotice: (n: WindowNotice) => void) => {
    const channel = new Channel<WindowNotice>();
    channel.onmessage = onNotice;
    return call<void>('watch_window', { onNotice: channel });
  },
  /** Whether the window holds unsaved edits: closing then asks the page first. */
  setUnsaved: (unsaved: boolean) => call<void>('set_unsaved', { unsaved }),
  /** Closes the window (after Save or Discard). */
  closeWindow: () => call<void>('close_window'),
};
