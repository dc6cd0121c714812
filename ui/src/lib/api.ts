// The one typed door to the Rust backend. Every command name lives here, and every
// rejection comes out as an ApiError, so components never see raw IPC failures.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { ApiError } from '../bindings/ApiError';
import type { Connection } from '../bindings/Connection';
import type { ConnectionFields } from '../bindings/ConnectionFields';
import type { ConnectionUpdate } from '../bindings/ConnectionUpdate';
import type { EngineSpec } from '../bindings/EngineSpec';
import type { EnvironmentInfo } from '../bindings/EnvironmentInfo';
import type { FieldIssue } from '../bindings/FieldIssue';
import type { NewConnection } from '../bindings/NewConnection';
import type { TestReport } from '../bindings/TestReport';

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

export const api = {
  listConnections: () => call<Connection[]>('list_connections'),
  getConnection: (id: string) => call<Connection>('get_connection', { id }),
  createConnection: (input: NewConnection) => call<Connection>('create_connection', { input }),
  updateConnection: (input: ConnectionUpdate) => call<Connection>('update_connection', { input }),
  deleteConnection: (id: string) => call<null>('delete_connection', { id }),
  duplicateConnection: (id: string) => call<Connection>('duplicate_connection', { id }),
  testConnection: (id: string, password: string | null) =>
    call<TestReport>('test_connection', { id, password }),
  // Tauri maps the Rust parameter `client_key` to the camelCase key `clientKey`.
  testDraft: (fields: ConnectionFields, password: string | null, clientKey: string | null) =>
    call<TestReport>('test_draft', { fields, password, clientKey }),
  /** Errors and warnings (`severity`); only errors stop a save. */
  validateConnection: (fields: ConnectionFields, id: string | null) =>
    call<FieldIssue[]>('validate_connection', { fields, id }),
  revealPassword: (id: string) => call<string>('reveal_password', { id }),
  /** The text of a PEM file the user picks in the native dialog; null when cancelled. */
  pickPemFile: () => call<string | null>('pick_pem_file'),
  listEnvironments: () => call<EnvironmentInfo[]>('list_environments'),
  /** Every engine's description; the connection form is rendered from these. */
  listEngines: () => call<EngineSpec[]>('list_engines'),
};
