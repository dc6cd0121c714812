// The form's Test button: tests what the form shows, saved or not (a saved connection's
// stored password and client key stand in for ones not typed; the report names edits
// that are not saved yet), asking for the password first when it is not stored, and
// streams the steps into the result panel. TestPanel.svelte renders it; the toolbar's Test button starts it.
import { tick } from 'svelte';
import type { StepReport } from '../bindings/StepReport';
import { api, toApiError } from './api';
import { clientKeyOf, passwordOf, sshSecretsOf } from './form';
import type { FormState } from './formState.svelte';
import type { TestState } from './TestResult.svelte';

export class TestRun {
  test = $state<TestState | null>(null);
  askingPassword = $state(false);
  askedPassword = $state('');
  /** Bound by TestPanel: focused when the password is asked for. */
  askInput = $state<HTMLInputElement>();
  /** Bound by TestPanel: scrolled into view when a test starts. */
  resultPanel = $state<HTMLElement>();

  readonly running = $derived(this.test?.status === 'running');

  #form: FormState;
  #ontested: () => void;
  #seq = 0;
  #runningTestId: string | null = null;

  /** `ontested`: a saved connection's test finished (its status dot may change). */
  constructor(form: FormState, ontested: () => void) {
    this.#form = form;
    this.#ontested = ontested;
  }

  start = async (): Promise<void> => {
    const form = this.#form;
    form.banner = null;
    if (form.sent.password_save === 'ask') {
      this.askedPassword = '';
      this.askingPassword = true;
      this.test = null;
      await tick();
      this.askInput?.focus();
      return;
    }
    // A password typed into the form (not yet saved) is what the user wants tried.
    const typed = form.sent.password_save === 'keychain' ? passwordOf(form.values, form.spec) : null;
    await this.run(typed);
  };

  /** Tests again, trusting the unknown host key the last test stopped at. */
  trust = (fingerprint: string): void => {
    void this.run(this.#lastPassword, [fingerprint]);
  };

  #lastPassword: string | null = null;

  run = async (password: string | null, trustHostKeys: string[] = []): Promise<void> => {
    this.#lastPassword = password;
    const form = this.#form;
    this.askingPassword = false;
    const seq = ++this.#seq;
    const testId = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${seq}`;
    this.#runningTestId = testId;
    this.test = { status: 'running', steps: [] };
    await tick();
    this.resultPanel?.scrollIntoView({ block: 'nearest' });
    // Steps arrive as they finish; a late one from an earlier test is ignored.
    const onStep = (s: StepReport): void => {
      if (seq === this.#seq && this.test?.status === 'running') this.test.steps.push(s);
    };
    try {
      const report = await api.testDraft(
        form.sent,
        password,
        clientKeyOf(form.values, form.spec),
        form.secretsFrom,
        form.record?.id ?? null,
        testId,
        onStep,
        sshSecretsOf(form.values),
        trustHostKeys,
      );
      if (seq === this.#seq) this.test = { status: 'done', report };
      if (form.record) this.#ontested();
    } catch (err) {
      if (seq !== this.#seq) return;
      const error = toApiError(err);
      this.test = { status: 'refused', error };
      if (error.code === 'validation_failed') form.showError(error);
      if (error.code === 'draft_expired') form.forgetPasted();
    }
  };

  cancel = (): void => {
    if (this.#runningTestId !== null) void api.cancelTest(this.#runningTestId).catch(() => {});
  };

  close = (): void => {
    this.test = null;
  };

  submitAskedPassword = (e: SubmitEvent): void => {
    e.preventDefault();
    void this.run(this.askedPassword);
  };
}
