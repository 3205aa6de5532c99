// The editor's state as a small store: each field subscribes to its own
// value and error, so typing in one field re-renders that field only.
import { createContext, useCallback, useContext, useSyncExternalStore } from "react";
import type { FormKey, JobForm } from "./form";
import type { FormErrors } from "./validate";

export class FormStore {
  private form: JobForm;
  private errors: FormErrors = {};
  private listeners = new Set<() => void>();

  constructor(initial: JobForm) {
    this.form = initial;
  }

  get values(): JobForm {
    return this.form;
  }

  get problems(): FormErrors {
    return this.errors;
  }

  /** Sets a field; its old problem goes (it is being fixed). */
  set<K extends FormKey>(key: K, value: JobForm[K]): void {
    if (this.form[key] === value) return;
    this.form = { ...this.form, [key]: value };
    if (key in this.errors) {
      const { [key]: _fixed, ...rest } = this.errors;
      this.errors = rest;
    }
    this.emit();
  }

  setErrors(errors: FormErrors): void {
    this.errors = errors;
    this.emit();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit() {
    this.listeners.forEach((l) => l());
  }
}

export const FormStoreContext = createContext<FormStore | null>(null);

export function useFormStore(): FormStore {
  const store = useContext(FormStoreContext);
  if (!store) throw new Error("outside the job form");
  return store;
}

/** One field's value; the component re-renders when it changes. */
export function useFormValue<K extends FormKey>(key: K): JobForm[K] {
  const store = useFormStore();
  const get = useCallback(() => store.values[key], [store, key]);
  return useSyncExternalStore(store.subscribe, get, get);
}

/** One field's problem, if it has one. */
export function useFieldError(key: FormKey): string | undefined {
  const store = useFormStore();
  const get = useCallback(() => store.problems[key], [store, key]);
  return useSyncExternalStore(store.subscribe, get, get);
}
