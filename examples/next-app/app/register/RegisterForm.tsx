"use client";

import { useActionState } from "react";
import { register, type RegisterState } from "./actions";

const initialState: RegisterState = { email: "", errors: {} };

/** A label, an input and the input's error message, wired together for screen readers. */
function Field(props: { name: string; label: string; type: string; autoComplete: string; error: string | undefined; defaultValue?: string; minLength?: number }) {
  const { name, label, type, autoComplete, error, defaultValue, minLength } = props;
  const id = `register-${name}`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        minLength={minLength}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The sign-up form. `useActionState` shows the server action's answer; the form is a real
 * `<form>` posting to that action, so it also works before hydration and without JavaScript.
 * The email comes back from the server to fill the field in again; passwords never do.
 */
export function RegisterForm() {
  const [state, formAction, pending] = useActionState(register, initialState);
  return (
    <form action={formAction} className="stack">
      {state.errors.form ? (
        <p className="form-error" role="alert">
          {state.errors.form}
        </p>
      ) : null}
      {/* The key remounts the field with the address the server returned. */}
      <Field key={state.email} name="email" label="Email" type="email" autoComplete="username" defaultValue={state.email} error={state.errors.email} />
      <Field name="password" label="Password" type="password" autoComplete="new-password" minLength={8} error={state.errors.password} />
      <Field name="confirm" label="Confirm password" type="password" autoComplete="new-password" error={state.errors.confirm} />
      <button type="submit" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
