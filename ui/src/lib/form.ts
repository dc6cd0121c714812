// What the connection form edits, and how it maps to and from the backend's types.
// Numbers are kept as the text the user typed so a half-typed or empty entry is not
// silently rewritten; they become numbers only when sent. Which of the fields an engine
// uses comes from its description (see spec.ts).
import type { ConnectionFields } from '../bindings/ConnectionFields';
import type { Engine } from '../bindings/Engine';
import type { EngineSpec } from '../bindings/EngineSpec';
import type { Environment } from '../bindings/Environment';
import type { FieldIssue } from '../bindings/FieldIssue';
import type { OptionValue } from '../bindings/OptionValue';
import type { PasswordSave } from '../bindings/PasswordSave';
import type { SecretChange } from '../bindings/SecretChange';
import type { SshRoute } from '../bindings/SshRoute';
import type { TlsMode } from '../bindings/TlsMode';
import { applyDefaults, hasField, sentOptions, supportedTlsModes } from './spec';

export interface FormValues {
  name: string;
  /** '' derives it from the name when saved (the placeholder shows which). */
  handle: string;
  engine: Engine;
  host: string;
  port: string;
  database: string;
  username: string;
  password: string;
  password_save: PasswordSave;
  tls_mode: TlsMode;
  ca_pem: string;
  /** The client certificate for mutual TLS, PEM text. */
  client_cert_pem: string;
  /** Its private key: a secret, never filled in from the record; '' keeps what is stored. */
  client_key: string;
  description: string;
  timeout_secs: string;
  /** '' for none. */
  environment: Environment | '';
  /** `#rrggbb`, or '' to use the environment's colour. */
  color: string;
  /** The comma-separated text as typed. */
  tags: string;
  /** Folder names joined by / ('Payments/EU/prod'); '' for the top level. */
  folder: string;
  /** In the order shown; half-typed rows and repeated keys are kept while editing. */
  metadata: MetadataRow[];
  /** Engine-specific settings by name, as typed; blank text is not sent. */
  options: Record<string, OptionValue>;
  /** The SSH route as edited (hops or a ~/.ssh/config alias); null for none. */
  ssh: SshRoute | null;
  /** Each route slot's secret as typed (key passphrase or SSH password); '' keeps the
   *  saved one. Never filled in from the record. */
  ssh_secrets: string[];
}

export interface MetadataRow {
  key: string;
  value: string;
}

/** A new connection's values: PostgreSQL unless told otherwise, with the engine's
 *  described defaults when its description is at hand. */
export function blankValues(spec?: EngineSpec): FormValues {
  const v: FormValues = {
    name: '',
    handle: '',
    engine: 'postgres',
    host: '',
    port: '',
    database: '',
    username: '',
    password: '',
    password_save: 'keychain',
    tls_mode: 'verify-full',
    ca_pem: '',
    client_cert_pem: '',
    client_key: '',
    description: '',
    timeout_secs: '10',
    environment: '',
    color: '',
    tags: '',
    folder: '',
    metadata: [],
    options: {},
    ssh: null,
    ssh_secrets: [],
  };
  if (spec) applyDefaults(v, spec);
  return v;
}

/** The form's values for stored (or imported) fields. */
export function valuesOf(c: ConnectionFields): FormValues {
  return {
    name: c.name,
    handle: c.handle,
    engine: c.engine,
    host: c.host,
    port: String(c.port),
    database: c.database,
    username: c.username,
    password: '',
    password_save: c.password_save,
    tls_mode: c.tls.mode,
    ca_pem: c.tls.ca_pem ?? '',
    client_cert_pem: c.tls.client_cert_pem ?? '',
    client_key: '',
    description: c.description ?? '',
    timeout_secs: String(c.timeout_secs),
    environment: c.environment ?? '',
    color: c.color ?? '',
    tags: c.tags.join(', '),
    folder: c.folder,
    metadata: Object.entries(c.metadata).map(([key, value]) => ({ key, value })),
    options: { ...c.options },
    ssh: c.ssh ? (JSON.parse(JSON.stringify(c.ssh)) as SshRoute) : null,
    ssh_secrets: [],
  };
}

const U32_MAX = 4_294_967_295;

/** Whole numbers pass through; anything else (empty, text, too big for the backend's u32)
 *  becomes 0 so the backend answers with its range error instead of a decode failure. */
function toNumber(text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 0;
  const n = Number(t);
  return n <= U32_MAX ? n : 0;
}

/** Tags as sent: split on commas, trimmed, blanks dropped (the backend removes duplicates).
 *  An issue's `tags.<n>` indexes this array. */
export function tagsOf(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** Whether a row is sent: one with a key or a value (sent as typed, so a value without a
 *  key gets the backend's key error). Empty rows are just not filled in yet. */
export function isMetadataSent(row: MetadataRow): boolean {
  return row.key !== '' || row.value !== '';
}

/** The rows as the backend's map: a repeated key keeps its last value. Keys are sorted, as
 *  the backend stores them, so that an edit that changes nothing compares equal. */
export function metadataOf(rows: MetadataRow[]): Record<string, string> {
  const map = new Map<string, string>();
  for (const row of rows) {
    if (isMetadataSent(row)) map.set(row.key, row.value);
  }
  // fromEntries defines own properties, so even a key like `__proto__` survives.
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Whether the engine uses this field; every field while its description is unknown. */
function uses(spec: EngineSpec | undefined, key: string): boolean {
  return spec === undefined || hasField(spec, key);
}

/** The fields as sent for `spec`'s engine: what it does not describe goes as empty. */
export function fieldsOf(v: FormValues, spec: EngineSpec | undefined): ConnectionFields {
  const pem = (key: string, text: string) => (uses(spec, key) && text.trim() !== '' ? text : null);
  return {
    name: v.name,
    handle: v.handle,
    engine: v.engine,
    host: uses(spec, 'host') ? v.host : '',
    port: uses(spec, 'port') ? toNumber(v.port) : 0,
    database: uses(spec, 'database') ? v.database : '',
    username: uses(spec, 'username') ? v.username : '',
    tls: {
      // Without a choice (a local file), the one level the engine supports.
      mode: spec && !hasField(spec, 'tls.mode') ? (supportedTlsModes(spec)[0]?.mode ?? v.tls_mode) : v.tls_mode,
      ca_pem: pem('tls.ca_pem', v.ca_pem),
      client_cert_pem: pem('tls.client_cert_pem', v.client_cert_pem),
    },
    description: v.description.trim() === '' ? null : v.description,
    password_save: uses(spec, 'password') ? v.password_save : 'none',
    timeout_secs: toNumber(v.timeout_secs),
    environment: v.environment === '' ? null : v.environment,
    color: v.color.trim() === '' ? null : v.color.trim().toLowerCase(),
    tags: tagsOf(v.tags),
    folder: v.folder,
    metadata: metadataOf(v.metadata),
    options: spec ? sentOptions(spec, v.options) : { ...v.options },
    ssh: uses(spec, 'host') ? sshOf(v.ssh) : null,
  };
}

/** The route as sent: a cleared number input (null) goes as 0, for the backend's range error. */
function sshOf(route: SshRoute | null): SshRoute | null {
  if (route === null || route.kind === 'alias') return route;
  return {
    kind: 'hops',
    hops: route.hops.map((h) => ({
      ...h,
      port: typeof h.port === 'number' && Number.isFinite(h.port) ? h.port : 0,
      key_files: h.auth === 'key' ? h.key_files : [],
    })),
  };
}

/** The route's typed secrets for a create or a test, by slot (null: none typed). */
export function sshSecretsOf(v: FormValues): (string | null)[] {
  const slots = v.ssh === null ? 0 : v.ssh.kind === 'alias' ? 1 : v.ssh.hops.length;
  return Array.from({ length: slots }, (_, i) => {
    const s = v.ssh_secrets[i] ?? '';
    return s === '' ? null : s;
  });
}

/** The route's secrets for an update: blank keeps the saved one. */
export function sshSecretChanges(v: FormValues): SecretChange[] {
  return sshSecretsOf(v).map((s) => (s === null ? { action: 'keep' } : { action: 'set', value: s }));
}

/** The backend's dotted field path for each input's `name`. */
export const FIELD_PATH: Record<keyof FormValues, string> = {
  name: 'name',
  handle: 'handle',
  engine: 'engine',
  host: 'host',
  port: 'port',
  database: 'database',
  username: 'username',
  password: 'password',
  // A password is only allowed with keychain storage, so changing the storage can make
  // or clear a problem on the password field.
  password_save: 'password',
  tls_mode: 'tls.mode',
  ca_pem: 'tls.ca_pem',
  client_cert_pem: 'tls.client_cert_pem',
  client_key: 'client_key',
  description: 'description',
  timeout_secs: 'timeout_secs',
  environment: 'environment',
  color: 'color',
  // Also the parent of each `tags.<n>` and `metadata.<key>` issue.
  tags: 'tags',
  folder: 'folder',
  metadata: 'metadata',
  // Each option's input is `option-<name>`, its path `options.<name>` (see spec.ts).
  options: 'options',
  // The route's inputs carry their own paths (`ssh.hops.<n>.host`, see SshFieldset).
  ssh: 'ssh',
  ssh_secrets: 'ssh',
};

export const PASSWORD_SAVES: { value: PasswordSave; label: string }[] = [
  { value: 'keychain', label: 'Save in keychain' },
  { value: 'ask', label: 'Ask every time' },
  { value: 'none', label: 'No password' },
];

/** The client key as a create or test request sends it: null when blank or when the
 *  engine takes no client certificate. */
export function clientKeyOf(v: FormValues, spec: EngineSpec | undefined): string | null {
  return !uses(spec, 'client_key') || v.client_key.trim() === '' ? null : v.client_key;
}

/** The password as a create or test request sends it: null when blank or unused. */
export function passwordOf(v: FormValues, spec: EngineSpec | undefined): string | null {
  return !uses(spec, 'password') || v.password === '' ? null : v.password;
}

/** Backend messages may start lower-case (they are also used mid-sentence in logs). */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A connection string rather than a host name: a scheme, JDBC, or key=value pairs. */
export function looksLikeConnectionString(text: string): boolean {
  const t = text.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(t) || /^jdbc:/i.test(t) || /^[\w ]+=[^=]/.test(t);
}

export function isWarning(i: FieldIssue): boolean {
  return i.severity === 'warning';
}

export function hasCertificates(c: ConnectionFields): boolean {
  return c.tls.ca_pem !== null || c.tls.client_cert_pem !== null;
}

/** Fields every engine has; the engine's own come from its description. */
export const COMMON_FIELDS = new Set([
  'name',
  'handle',
  'engine',
  'description',
  'timeout_secs',
  'environment',
  'color',
  'tags',
  'folder',
  'metadata',
]);

const NOT_TEXT = [
  'engine',
  'password_save',
  'tls_mode',
  'environment',
  'color',
  'metadata',
  'options',
  'ssh',
  'ssh_secrets',
] as const;
type TextField = Exclude<keyof FormValues, (typeof NOT_TEXT)[number]>;

/** Whether an input's `name` is one of the form's own values (see FIELD_PATH). */
export function isFormField(name: string): name is keyof FormValues {
  return Object.hasOwn(FIELD_PATH, name);
}

/** Whether it is one of those kept as plain text, which an input can write directly. */
export function isTextField(name: string): name is TextField {
  return isFormField(name) && !(NOT_TEXT as readonly string[]).includes(name);
}
