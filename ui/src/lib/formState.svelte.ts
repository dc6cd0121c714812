// The connection form's state and rules, shared by ConnectionForm.svelte and the parts it
// is made of: the values being edited, debounced live validation and where its issues show,
// filling in from a pasted string, the secrets' changes, and the save / duplicate / delete
// lifecycle. The components only render it and forward events.
import { SvelteSet } from 'svelte/reactivity';
import type { ApiError } from '../bindings/ApiError';
import type { Connection } from '../bindings/Connection';
import type { ConnectionFields } from '../bindings/ConnectionFields';
import type { Draft } from '../bindings/Draft';
import type { DraftToken } from '../bindings/DraftToken';
import type { EngineSpec } from '../bindings/EngineSpec';
import type { FieldIssue } from '../bindings/FieldIssue';
import type { Rebased } from '../bindings/Rebased';
import type { SecretChange } from '../bindings/SecretChange';
import { api, toApiError } from './api';
import {
  blankValues,
  clientKeyOf,
  COMMON_FIELDS,
  FIELD_PATH,
  fieldsOf,
  hasCertificates,
  isFormField,
  isMetadataSent,
  isTextField,
  isWarning,
  looksLikeConnectionString,
  passwordOf,
  sentence,
  sshSecretChanges,
  sshSecretsOf,
  valuesOf,
  type FormValues,
} from './form';
import { hasField, optionPathOfName, specFor, writeInput } from './spec';

/** What the form says about the pasted string it was last filled from. */
export interface ImportNote {
  label: string;
  warnings: string[];
  hasPassword: boolean;
  hasKey: boolean;
}

export interface FormOptions {
  /** The record to edit, or null for a new connection. */
  connection: Connection | null;
  /** From `list_engines`, read when needed (it may still change). */
  engines: () => EngineSpec[];
  /** A connection string typed, dropped or pasted into the host field: read it. */
  readString: (text: string) => void;
  onsaved: (c: Connection) => void;
  onduplicated: (c: Connection) => void;
  ondeleted: () => void;
  onreload: (id: string) => Promise<void>;
}

/** One open form. Create it while the component initialises (it holds runes); the parent
 *  remounts the form to open another connection. Handlers are arrow functions, so they can
 *  be passed around unbound. */
export class FormState {
  #options: FormOptions;
  #validateTimer: ReturnType<typeof setTimeout> | undefined;
  #validateSeq = 0;
  #savedTimer: ReturnType<typeof setTimeout> | undefined;

  // The stored version of what is being edited; becomes non-null once a new one is saved.
  record = $state<Connection | null>(null);
  values = $state<FormValues>(blankValues());
  clearPassword = $state(false);
  clearClientKey = $state(false);

  // Errors only: these are what a save is refused for.
  issues = $state<FieldIssue[]>([]);
  // Things worth knowing (e.g. a certificate about to expire) that never block saving. They
  // describe what was pasted rather than what is missing, so they show without waiting for
  // the field to be touched.
  warnings = $state<FieldIssue[]>([]);
  // Live validation only speaks about fields the user has edited, until Save is pressed.
  readonly touched = new SvelteSet<string>();
  showAllIssues = $state(false);

  banner = $state<ApiError | null>(null);
  busy = $state<'save' | 'duplicate' | 'delete' | 'reload' | null>(null);
  savedNotice = $state(false);
  confirmingDelete = $state(false);
  revealed = $state<string | null>(null);

  // The saved connection changed elsewhere while the form held edits (or a save found it
  // stale): what the other side changed, and the conflicting fields where the user
  // chose theirs. 'deleted': it was deleted elsewhere.
  stale = $state<{ rebased: Rebased; takeTheirs: SvelteSet<string> } | 'deleted' | null>(null);
  // Said once the edits were put on top of a newer version, until the next save.
  rebasedNote = $state(false);

  // The token of the pasted draft the form was last filled from, while the backend holds a
  // secret of it: Save and Test name it so the backend can fill in what was not typed.
  secretsFrom = $state<DraftToken | null>(null);
  imported = $state<ImportNote | null>(null);

  /** The chosen engine's description; undefined only if the descriptions failed to load. */
  readonly spec = $derived(specFor(this.#engines(), this.values.engine));
  /** What Save and Test send: only the fields the engine uses. */
  readonly sent = $derived(fieldsOf(this.values, this.spec));

  readonly dirty = $derived(
    this.record === null ||
      passwordOf(this.values, this.spec) !== null ||
      this.clearPassword ||
      clientKeyOf(this.values, this.spec) !== null ||
      this.clearClientKey ||
      JSON.stringify(this.sent) !==
        JSON.stringify(fieldsOf(valuesOf(this.record), specFor(this.#engines(), this.record.engine))),
  );
  // What a new form started as: leaving it unchanged loses nothing.
  #pristine = '';
  /** Whether leaving the form would lose anything typed (New: anything changed at all). */
  readonly hasEdits = $derived(
    this.record === null
      ? this.secretsFrom !== null || JSON.stringify(this.values) !== this.#pristine
      : this.dirty,
  );
  // Problems the form has no field for still need to be seen.
  readonly strayIssues = $derived(this.showAllIssues ? this.issues.filter((i) => !this.isPlaced(i)) : []);
  readonly strayWarnings = $derived(this.warnings.filter((i) => !this.isPlaced(i)));

  constructor(options: FormOptions) {
    this.#options = options;
    const { connection } = options;
    this.record = connection;
    this.values = connection ? valuesOf(connection) : blankValues(specFor(options.engines(), 'postgres'));
    this.#pristine = JSON.stringify(this.values);
    // A stored certificate may have come close to expiry since it was saved: say so on open.
    if (connection && hasCertificates(connection)) void this.validate();
  }

  /** The engines' descriptions as they are now (they may load after the form opens). */
  #engines(): EngineSpec[] {
    return this.#options.engines();
  }

  /** Stops the timers; call when the form goes away. */
  dispose(): void {
    clearTimeout(this.#validateTimer);
    clearTimeout(this.#savedTimer);
  }

  uses = (key: string): boolean => this.spec === undefined || hasField(this.spec, key);

  /** Whether live validation may show problems of this field path (and its children). */
  visible = (field: string): boolean => this.showAllIssues || this.touched.has(field);

  issueFor = (field: string): FieldIssue | undefined => {
    if (!this.visible(field)) return undefined;
    return this.issues.find((i) => i.field === field);
  };

  warningsFor = (field: string): FieldIssue[] => this.warnings.filter((i) => i.field === field);

  /** The row an issue about `metadata.<key>` belongs to: the last sent row with that key,
   *  as that is the one whose value is sent. -1 when no row has it. */
  metadataRowOf = (key: string): number => {
    for (let r = this.values.metadata.length - 1; r >= 0; r--) {
      const row = this.values.metadata[r];
      if (row && isMetadataSent(row) && row.key === key) return r;
    }
    return -1;
  };

  metadataIssues = (row: number): FieldIssue[] => {
    if (!this.visible('metadata')) return [];
    const key = this.values.metadata[row]?.key ?? '';
    if (this.metadataRowOf(key) !== row) return [];
    return this.issues.filter((i) => i.field === `metadata.${key}`);
  };

  isPlaced = (i: FieldIssue): boolean => {
    if (COMMON_FIELDS.has(i.field) || i.field.startsWith('tags.')) return true;
    if (this.spec?.fields.some((f) => f.key === i.field)) return true;
    return i.field.startsWith('metadata.') && this.metadataRowOf(i.field.slice('metadata.'.length)) !== -1;
  };

  validate = async (): Promise<void> => {
    const seq = ++this.#validateSeq;
    try {
      const found = await api.validateConnection(this.sent, this.record?.id ?? null);
      if (seq === this.#validateSeq) {
        this.issues = found.filter((i) => !isWarning(i));
        this.warnings = found.filter(isWarning);
      }
    } catch {
      // Live hints are a convenience; Save reports the same problems authoritatively.
    }
  };

  revalidate = (): void => {
    clearTimeout(this.#validateTimer);
    this.#validateTimer = setTimeout(this.validate, 300);
  };

  /** Marks a field path as edited and validates again shortly. */
  touch = (field: string): void => {
    this.touched.add(field);
    this.revalidate();
  };

  // Delegated from every control in the form, so adding a field needs no extra wiring.
  edited = (e: Event): void => {
    const target = e.target as HTMLInputElement | HTMLTextAreaElement | null;
    const name = target?.name ?? '';
    // WebDriver's clear() empties a field firing only `change`, which bind:value ignores.
    if (e.type === 'change' && target && target.type !== 'checkbox') {
      if (!(this.spec && writeInput(this.values, this.spec, name, target.value)) && isTextField(name)) {
        this.values[name] = target.value;
      }
    }
    if (name === 'host' && e.type === 'change' && target && looksLikeConnectionString(target.value)) {
      // A URL typed or dropped into the host field fills the whole form instead.
      this.#options.readString(target.value);
      return;
    }
    const option = optionPathOfName(name);
    if (name === 'clear_password') this.touched.add('password');
    else if (name === 'clear_client_key') this.touched.add('client_key');
    else if (name === 'metadata-key' || name === 'metadata-value') this.touched.add('metadata');
    else if (name.startsWith('ssh') && target?.dataset.path) this.touched.add(target.dataset.path);
    else if (option !== null) this.touched.add(option);
    else if (isFormField(name)) this.touched.add(FIELD_PATH[name]);
    this.revalidate();
  };

  /** Enter in a one-line field saves, as in any dialog, except where the user means
   *  something else: a connection string in Host is read into the form, a metadata row
   *  moves on to the next input, and with nothing changed there is nothing to save. */
  enterKey = (e: KeyboardEvent): void => {
    const target = e.target as HTMLInputElement | null;
    if (e.key !== 'Enter' || !target || target.tagName !== 'INPUT' || e.isComposing) return;
    if (target.name === 'host' && looksLikeConnectionString(target.value)) {
      e.preventDefault();
      this.#options.readString(target.value);
    } else if (target.name === 'metadata-key' || target.name === 'metadata-value') {
      e.preventDefault();
      const inputs = [...(target.form?.querySelectorAll<HTMLInputElement>('[name^=metadata-]') ?? [])];
      inputs[inputs.indexOf(target) + 1]?.focus();
    } else if (!this.hasEdits) {
      e.preventDefault();
    }
  };

  pasted = (e: ClipboardEvent): void => {
    const target = e.target as HTMLInputElement | null;
    if (target?.name !== 'host') return;
    const text = e.clipboardData?.getData('text') ?? '';
    if (looksLikeConnectionString(text)) {
      e.preventDefault();
      this.#options.readString(text);
    }
  };

  /** Fills the form from what the backend read in a pasted string. A saved connection keeps
   *  its name and labels; a new one takes the suggested name unless one was typed. What the
   *  string does not carry (`keep`: the preview's list; certificates always) stays as it was. */
  applyDraft = (d: Draft, keep: string[] = []): void => {
    const values = this.values;
    const next = valuesOf(d.fields);
    if (this.record || values.name.trim() !== '') next.name = values.name;
    if (this.record || next.handle === '') next.handle = values.handle;
    if (this.record) {
      next.environment = values.environment;
      next.color = values.color;
      next.tags = values.tags;
      next.metadata = values.metadata;
      next.description = values.description;
    }
    if (next.ca_pem === '') next.ca_pem = values.ca_pem;
    if (next.client_cert_pem === '') next.client_cert_pem = values.client_cert_pem;
    if (next.engine === values.engine) {
      for (const path of keep) {
        const option = path.startsWith('options.') ? path.slice('options.'.length) : null;
        if (option !== null && values.options[option] !== undefined) next.options[option] = values.options[option];
        if (path === 'timeout_secs') next.timeout_secs = values.timeout_secs;
        if (path === 'tls.mode') next.tls_mode = values.tls_mode;
        if (path === 'username') next.username = values.username;
      }
    }
    next.password = values.password;
    next.client_key = values.client_key;
    this.values = next;
    this.secretsFrom = d.token;
    this.imported = { label: d.kind_label, warnings: d.warnings, hasPassword: d.has_password, hasKey: d.has_client_key };
    this.showAllIssues = true;
    void this.validate();
  };

  /** The preview box was edited: read it back into the fields (null = done, else why not). */
  readBack = async (text: string, notCarried: string[]): Promise<string | null> => {
    try {
      this.applyDraft(await api.parseConnectionString(text), notCarried);
      return null;
    } catch (e) {
      const err = toApiError(e);
      return `${err.message} ${err.hint}`;
    }
  };

  pickKeyFile = async (): Promise<void> => {
    try {
      const text = await api.pickPemFile();
      if (text !== null) {
        this.values.client_key = text;
        this.touched.add('client_key');
      }
    } catch (e) {
      this.banner = toApiError(e);
    }
  };

  toggleReveal = async (): Promise<void> => {
    if (this.revealed !== null || !this.record) {
      this.revealed = null;
      return;
    }
    try {
      this.revealed = await api.revealPassword(this.record.id);
    } catch (err) {
      const e = toApiError(err);
      // Declined in the native confirmation: the user knows; nothing to report.
      if (e.code !== 'cancelled') this.showError(e);
    }
  };

  #passwordChange(): SecretChange {
    // An engine without a password (a local file) keeps none.
    if (this.clearPassword || (!this.uses('password') && this.record?.has_saved_password)) return { action: 'clear' };
    const password = passwordOf(this.values, this.spec);
    if (password !== null) return { action: 'set', value: password };
    return { action: 'keep' };
  }

  /** Blank keeps the stored key. Emptying the certificate makes the backend drop the key. */
  #clientKeyChange(): SecretChange {
    if (this.clearClientKey) return { action: 'clear' };
    const key = clientKeyOf(this.values, this.spec);
    return key === null ? { action: 'keep' } : { action: 'set', value: key };
  }

  /** The backend no longer holds the pasted secrets: stop naming them, so that a typed
   *  password (or a new paste) can be saved. */
  forgetPasted = (): void => {
    this.secretsFrom = null;
    this.imported = null;
  };

  showError = (err: ApiError): void => {
    if (err.code === 'draft_expired') this.forgetPasted();
    if (err.code === 'validation_failed') {
      // A refused save lists errors only; warnings from live validation stay as they are.
      this.issues = err.issues.filter((i) => !isWarning(i));
      this.showAllIssues = true;
      return;
    }
    this.banner = err;
    if (err.field) {
      this.issues = [
        { code: err.code, severity: 'error', field: err.field, message: sentence(err.message), hint: err.hint },
      ];
      this.showAllIssues = true;
    }
  };

  /** Saves what the form holds; whether it was saved. */
  save = async (e?: SubmitEvent): Promise<boolean> => {
    e?.preventDefault();
    if (this.busy) return false;
    this.busy = 'save';
    this.banner = null;
    this.confirmingDelete = false;
    clearTimeout(this.#validateTimer);
    this.#validateSeq++; // a late live-validation answer must not overwrite what Save reports
    const fields = this.sent;
    try {
      const saved = this.record
        ? await api.updateConnection(
            {
              ...fields,
              id: this.record.id,
              version: this.record.version,
              password: this.#passwordChange(),
              client_key: this.#clientKeyChange(),
              ssh_secrets: sshSecretChanges(this.values),
            },
            this.secretsFrom,
          )
        : await api.createConnection(
            {
              ...fields,
              password: passwordOf(this.values, this.spec),
              client_key: clientKeyOf(this.values, this.spec),
              ssh_secrets: sshSecretsOf(this.values),
            },
            this.secretsFrom,
          );
      this.secretsFrom = null;
      this.imported = null;
      this.record = saved;
      this.values = valuesOf(saved);
      this.clearPassword = false;
      this.clearClientKey = false;
      this.revealed = null;
      this.issues = [];
      this.warnings = [];
      // Certificate warnings (expiry) still apply to what was stored: ask for them again.
      if (hasCertificates(saved)) void this.validate();
      this.touched.clear();
      this.showAllIssues = false;
      this.savedNotice = true;
      this.rebasedNote = false;
      this.stale = null;
      clearTimeout(this.#savedTimer);
      this.#savedTimer = setTimeout(() => (this.savedNotice = false), 4000);
      this.#options.onsaved(saved);
      return true;
    } catch (err) {
      const e = toApiError(err);
      if (e.code === 'version_conflict') await this.#showStale();
      else if (e.code === 'not_found' && this.record) this.stale = 'deleted';
      else this.showError(e);
      return false;
    } finally {
      this.busy = null;
    }
  };

  /** The settings the form opened, as the form would send them unchanged. */
  #base(): ConnectionFields | null {
    const r = this.record;
    return r ? fieldsOf(valuesOf(r), specFor(this.#engines(), r.engine)) : null;
  }

  async #showStale(): Promise<void> {
    const base = this.#base();
    if (!this.record || !base) return;
    try {
      const rebased = await api.rebaseEdits(this.record.id, base, this.sent, []);
      this.stale = { rebased, takeTheirs: new SvelteSet() };
      this.banner = null;
    } catch (err) {
      const e = toApiError(err);
      if (e.code === 'not_found') this.stale = 'deleted';
      else this.showError(e);
    }
  }

  /** The saved connections changed somewhere: an untouched form shows the newer version;
   *  one with edits says what changed and offers to put the edits on top. */
  savedChanged = async (): Promise<void> => {
    const record = this.record;
    if (!record || this.busy) return;
    let now: Connection;
    try {
      now = await api.getConnection(record.id);
    } catch (err) {
      if (toApiError(err).code === 'not_found') {
        if (this.hasEdits) this.stale = 'deleted';
        else this.#options.ondeleted();
      }
      return;
    }
    if (now.version === record.version || this.record !== record) return;
    // Already shown at this version: keep the choices the user has made in the panel.
    if (this.stale && this.stale !== 'deleted' && this.stale.rebased.saved.version === now.version) return;
    if (this.hasEdits) {
      await this.#showStale();
      return;
    }
    this.record = now;
    this.values = valuesOf(now);
    this.revealed = null;
    this.stale = null;
  };

  /** Conflicting field: keep the form's value (false) or take the saved one (true). */
  chooseTheirs = (field: string, theirs: boolean): void => {
    if (this.stale === null || this.stale === 'deleted') return;
    if (theirs) this.stale.takeTheirs.add(field);
    else this.stale.takeTheirs.delete(field);
  };

  /** Puts the edits on top of the newer saved version; the user reviews and saves. */
  applyOnTop = async (): Promise<void> => {
    const base = this.#base();
    if (this.stale === null || this.stale === 'deleted' || !this.record || !base) return;
    try {
      const rebased = await api.rebaseEdits(this.record.id, base, this.sent, [...this.stale.takeTheirs]);
      const { password, client_key } = this.values;
      this.record = rebased.saved;
      this.values = { ...valuesOf(rebased.fields), password, client_key };
      this.stale = null;
      this.rebasedNote = true;
      this.banner = null;
      void this.validate();
    } catch (err) {
      this.showError(toApiError(err));
    }
  };

  /** It was deleted elsewhere: keep the edits as a new connection (Save creates it). */
  keepAsNew = (): void => {
    this.record = null;
    this.stale = null;
  };

  duplicate = async (): Promise<void> => {
    if (!this.record || this.busy) return;
    this.busy = 'duplicate';
    this.banner = null;
    try {
      this.#options.onduplicated(await api.duplicateConnection(this.record.id));
    } catch (err) {
      this.showError(toApiError(err));
    } finally {
      this.busy = null;
    }
  };

  confirmDelete = async (): Promise<void> => {
    if (!this.record || this.busy) return;
    this.busy = 'delete';
    this.banner = null;
    try {
      await api.deleteConnection(this.record.id);
      this.#options.ondeleted();
    } catch (err) {
      this.confirmingDelete = false;
      this.showError(toApiError(err));
    } finally {
      this.busy = null;
    }
  };

  reload = async (): Promise<void> => {
    if (!this.record || this.busy) return;
    this.busy = 'reload';
    try {
      await this.#options.onreload(this.record.id);
    } catch (err) {
      this.banner = toApiError(err);
    } finally {
      this.busy = null;
    }
  };
}
